// The SMS step of a registration: a 6-digit code to the mobile number the directory holds (never one the person
// types), at most so many per person, per number and per source address (SMS pumping is a fraud that bills the
// sender), and what the page tells the person about its delivery.
import { accountKey, sourceKey, type Limit, type RateLimiter } from '../ratelimit/index.ts';
import type { Clock, Random } from '../clock/index.ts';
import { newSmsCode, type codeHasher } from './codes.ts';
import { maskNumber, type CodeStep, type RegistrationFlow } from './flow.ts';
import type { RegistrationStore } from './store.ts';

/** How an SMS is doing, as the SMS outbox knows it. */
export type SmsDelivery = 'queued' | 'retrying' | 'sent' | 'delivered' | 'failed';

export interface SmsPorts {
  /** Stores the SMS in the outbox under `id` (the gateway's worker sends it); the text is the code's, localised. */
  send(message: {
    id: string;
    to: string;
    code: string;
    reference: string;
    expiresAt: number;
    /** Whose code it is: the text is written in their language. */
    accountId: string;
  }): Promise<void>;
  delivery(id: string): Promise<SmsDelivery | undefined>;
  perAccount: Limit;
  perNumber: Limit;
  perSource: Limit;
}

interface Needs {
  store: RegistrationStore;
  clock: Clock;
  random: Random;
  limiter: Pick<RateLimiter, 'check'>;
  directory: { mobileOf(accountId: string): Promise<string | null> };
  policy: { smsCodeTtlSeconds: number };
}

const shown: Record<SmsDelivery, CodeStep['sms']> = {
  queued: 'sent',
  sent: 'sent',
  delivered: 'sent',
  retrying: 'late',
  failed: 'failed',
};

export function smsStep(p: Needs, s: SmsPorts, hash: ReturnType<typeof codeHasher>) {
  return {
    /** A new code for the flow (the earlier one stops working); nothing when the directory has no mobile number. */
    async send(flow: RegistrationFlow, source: { ip: string }): Promise<void> {
      const mobile = await p.directory.mobileOf(flow.accountId);
      if (mobile === null) return;
      // The source first: an address that is pumping SMS is refused before it spends a person's or a number's share.
      await p.limiter.check([
        { key: sourceKey('sms', source.ip), rule: s.perSource },
        { key: accountKey('sms', flow.accountId), rule: s.perAccount },
        { key: `sms:number:${mobile}`, rule: s.perNumber },
      ]);
      const code = newSmsCode(p.random);
      const id = p.random.bytes(16).toString('hex');
      const expiresAt = p.clock.now() + p.policy.smsCodeTtlSeconds * 1000;
      // The code is stored (hashed) before the SMS can leave, so it works the moment it arrives.
      await p.store.setSmsCode(flow.id, { hash: hash('sms', `${flow.id}:${code}`), expiresAt, smsId: id });
      await s.send({ id, to: mobile, code, reference: flow.id, expiresAt, accountId: flow.accountId });
    },

    async state(flow: RegistrationFlow): Promise<CodeStep> {
      const mobile = await p.directory.mobileOf(flow.accountId);
      if (mobile === null) return { sms: 'no_mobile', maskedNumber: null };
      const delivery = flow.smsId === null ? undefined : await s.delivery(flow.smsId);
      return { sms: delivery === undefined ? 'failed' : shown[delivery], maskedNumber: maskNumber(mobile) };
    },
  };
}
