// Outgoing SMS go through an outbox table, as mail does: stored first, sent by a worker, retried with back-off
// while the gateway is down, so a code is never lost; rows are claimed atomically, so two nodes never send one SMS
// twice. A code's SMS is useless once the code expired: it is then given up rather than sent late.
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.ts';
import { createPoller } from '../poller.ts';
import { retryDelayMs } from '../outbox.ts';
import { SmsSendFailure, type SmsGateway } from './gateway.ts';
import type { SmsOutboxStore, SmsRow } from './store.ts';

export interface SmsOutboxOptions {
  store: SmsOutboxStore;
  clock: Clock;
  /** The gateway, or null to keep SMS in the outbox for the local mailbox page (demo). */
  gateway: SmsGateway | null;
  pollMs: number;
  maxAttempts: number;
  logger: Logger;
}

/** How an SMS is doing: waiting for its first try, waiting after a failed try, taken, delivered, or given up. */
export type SmsDeliveryState = 'queued' | 'retrying' | 'sent' | 'delivered' | 'failed';

export interface StoredSms {
  id: string;
  to: string;
  text: string;
  state: SmsDeliveryState;
  createdAt: number;
}

const claimMs = 60_000;
const batchSize = 20;

const stateOf = (row: SmsRow): SmsDeliveryState =>
  row.status === 'pending' ? (row.attempts > 0 ? 'retrying' : 'queued') : row.status;

/** `+40721234567` → `+40•••••••567` for logs. */
const maskNumber = (to: string) => `${to.slice(0, 3)}•••${to.slice(-3)}`;

export function createSmsOutbox(o: SmsOutboxOptions) {
  const { store, gateway } = o;

  async function deliverOne(row: SmsRow): Promise<boolean> {
    const attempts = row.attempts + 1;
    const log = { sms: row.id, to: maskNumber(row.to_number), attempts };
    const now = o.clock.now();
    if (row.expires_at <= now) {
      await store.markFailedAttempt(row.id, {
        attempts: row.attempts,
        failed: true,
        nextAttemptAt: now,
        lastError: 'expired',
      });
      o.logger.warn(log, 'SMS given up: its code expired before a gateway took it');
      return false;
    }
    try {
      const providerId = await gateway!.send({ to: row.to_number, text: row.text, reference: row.reference });
      await store.markSent(row.id, { attempts, sentAt: o.clock.now(), provider: gateway!.kind, providerId });
      o.logger.info(log, 'SMS sent');
      return true;
    } catch (err) {
      const failure =
        err instanceof SmsSendFailure ? err : new SmsSendFailure((err as { code?: string }).code ?? 'error', false);
      const failed = failure.permanent || attempts >= o.maxAttempts;
      await store.markFailedAttempt(row.id, {
        attempts,
        failed,
        lastError: failure.reason,
        nextAttemptAt: o.clock.now() + retryDelayMs(attempts),
      });
      o.logger.warn({ ...log, reason: failure.reason }, failed ? 'SMS failed for good' : 'SMS will be retried');
      return false;
    }
  }

  async function deliverDue(): Promise<number> {
    if (!gateway) return 0;
    let sent = 0;
    const now = o.clock.now();
    for (const row of await store.due(now, batchSize)) {
      if (!(await store.claim(row.id, now, now + claimMs))) continue;
      if (await deliverOne(row)) sent++;
    }
    return sent;
  }

  const poller = createPoller(deliverDue, o.pollMs, o.logger);
  gateway?.onReport((providerId, outcome) => {
    store.markReport(gateway.kind, providerId, outcome, o.clock.now()).catch((err: unknown) => {
      o.logger.warn({ err: (err as Error).message }, 'SMS delivery report not recorded');
    });
  });

  return {
    /** Stores the SMS under `id`; the worker sends it (in mailbox mode it is done once stored). */
    async enqueue(sms: { id: string; to: string; text: string; reference: string; expiresAt: number }): Promise<void> {
      const now = o.clock.now();
      await store.insert({
        id: sms.id,
        to_number: sms.to,
        text: sms.text,
        reference: sms.reference,
        status: gateway ? 'pending' : 'sent',
        next_attempt_at: now,
        provider: gateway ? null : 'mailbox',
        provider_id: null,
        expires_at: sms.expiresAt,
        created_at: now,
        sent_at: gateway ? null : now,
      });
      if (gateway) poller.wake();
      else o.logger.info({ sms: sms.id, to: maskNumber(sms.to) }, 'SMS kept in the local mailbox');
    },
    deliverDue,
    /** A delivery report that came by another way than the gateway's own connection (an HTTP status callback). */
    report: (provider: string, providerId: string, outcome: 'delivered' | 'failed') =>
      store.markReport(provider, providerId, outcome, o.clock.now()),
    async state(id: string): Promise<SmsDeliveryState | undefined> {
      const row = await store.find(id);
      return row && stateOf(row);
    },
    /** The latest SMS, newest first, for the local mailbox page. */
    async recent(limit = 50): Promise<StoredSms[]> {
      return (await store.recent(limit)).map((r) => ({
        id: r.id,
        to: r.to_number,
        text: r.text,
        state: stateOf(r),
        createdAt: Number(r.created_at),
      }));
    },
    /** Forgets SMS done with (sent, delivered, failed) after 30 days: long enough for the helpdesk's questions. */
    purge: () => store.purge(o.clock.now() - 30 * 86_400_000),
    start() {
      if (gateway) poller.start();
    },
    async stop() {
      await poller.stop();
      await gateway?.close();
    },
  };
}

export type SmsOutbox = ReturnType<typeof createSmsOutbox>;
