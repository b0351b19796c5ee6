// OTP registration as the FAQ describes it: the directory password, then the employee ID, then an SMS code sent to
// the mobile number the directory holds (or the helpdesk's registration code when the SMS does not come), then the
// new token's first code. Each step is a function (flow, input) → next flow | typed error; the proof it adds up to
// is the `registration` proof that may replace a person's token (DESIGN.md: a factor changes only with a factor as
// strong). No HTTP, no SQL: the store, directory, limiter and SMS sender come in as ports.
import type { Clock, Random } from '../clock/index.ts';
import type { ReportEvent } from '../audit/index.ts';
import type { Account } from '../identity/index.ts';
import type { Confirmed, Enrolment, OtpService } from '../otp/index.ts';
import { accountKey, type AttemptSource, type Limit, type RateLimiter } from '../ratelimit/index.ts';
import { codeHasher, newHelpdeskCode, readCode, sameHash } from './codes.ts';
import { RegistrationError } from './errors.ts';
import type { CodeStep, RegistrationFlow, RegistrationStep } from './flow.ts';
import { smsStep, type SmsPorts } from './sms.ts';
import type { RegistrationStore } from './store.ts';

export interface RegistrationPolicy {
  /** How long a registration may take from the password to the first code. */
  flowTtlSeconds: number;
  /** Wrong answers at one step (employee ID, code) before the flow is over. */
  maxWrongAnswers: number;
  /** How long a helpdesk registration code stays good. */
  helpdeskCodeTtlSeconds: number;
  /** How long an SMS code stays good (ASVS V6.5.5: at most 10 minutes). */
  smsCodeTtlSeconds: number;
}

export interface RegistrationPorts {
  store: RegistrationStore;
  clock: Clock;
  random: Random;
  /** Keys the hashes of the SMS and helpdesk codes. */
  codePepper: Buffer;
  policy: RegistrationPolicy;
  /** The sign-in's first factor (directory names go to the directory), counted under `action`. */
  firstFactor(attempt: { action: string; name: unknown; password: unknown; source: AttemptSource }): Promise<Account>;
  isDirectoryName(name: string): boolean;
  /** What the directory says about the account's person now. */
  directory: {
    employeeIdMatches(accountId: string, typed: string): Promise<boolean>;
    mobileOf(accountId: string): Promise<string | null>;
  };
  otp: Pick<OtpService, 'beginEnrolment' | 'pendingEnrolment' | 'confirmEnrolment'>;
  limiter: Pick<RateLimiter, 'limitFailures' | 'check'>;
  /** Wrong employee IDs and codes per person, across flows: a new flow gives no fresh guesses (T45). */
  guessesPerAccount: Limit;
  /** Present when an SMS gateway (or the demo's local mailbox) is configured. */
  sms?: SmsPorts;
  /** The name an authenticator app shows beside the code. */
  label(accountId: string): Promise<string>;
  /** Tells the person by mail that a token was registered (and which ones it replaced). */
  afterEnrolment(accountId: string, confirmed: Confirmed): Promise<void>;
  audit: ReportEvent;
}

const wrongAnswer = (err: unknown) =>
  err instanceof RegistrationError &&
  (err.code === 'registration.wrong_employee_id' || err.code === 'registration.wrong_code');

type AnswerStep = Exclude<RegistrationStep, 'enrol'>;
const nextStep: Record<AnswerStep, RegistrationStep> = { employee_id: 'code', code: 'enrol' };
type Sms = ReturnType<typeof smsStep> | undefined;

/**
 * One answer at `step`: counted per person and per flow before it is compared (parallel guesses get no more tries),
 * given back when right, which moves the flow on. The answer that spends the flow's last try ends the flow.
 */
function answering(p: RegistrationPorts) {
  const { maxWrongAnswers } = p.policy;
  return async (flow: RegistrationFlow, step: AnswerStep, check: () => Promise<void>, source: string) => {
    const limits = [{ key: accountKey('register-guess', flow.accountId), rule: p.guessesPerAccount }];
    await p.limiter.limitFailures(
      limits,
      async () => {
        if (!(await p.store.reserveAnswer(flow.id, step, maxWrongAnswers, p.clock.now())))
          throw new RegistrationError('registration.flow_expired');
        try {
          await check();
        } catch (err) {
          if (!wrongAnswer(err)) throw err;
          await p.audit({ action: `otp.registration_${step}`, subject: flow.accountId, outcome: 'wrong', source });
          if (await p.store.endIfSpent(flow.id, maxWrongAnswers, p.clock.now()))
            throw new RegistrationError('registration.flow_expired', { message: 'too many wrong answers' });
          throw err;
        }
      },
      wrongAnswer,
    );
    if (!(await p.store.advance(flow.id, step, nextStep[step], p.clock.now())))
      throw new RegistrationError('registration.flow_expired');
    await p.audit({ action: `otp.registration_${step}`, subject: flow.accountId, outcome: 'success', source });
  };
}

/** The directory password opens a flow; the employee ID moves it to the code step and sends the SMS. */
function identification(p: RegistrationPorts, answer: ReturnType<typeof answering>, sms: Sms) {
  return {
    async start(input: { name: unknown; password: unknown; source: { ip: string } }): Promise<RegistrationFlow> {
      const name = typeof input.name === 'string' ? input.name : '';
      if (!p.isDirectoryName(name)) throw new RegistrationError('registration.directory_only', { field: 'name' });
      const account = await p.firstFactor({ action: 'register', ...input, name });
      if (account.kind !== 'workforce') throw new RegistrationError('registration.directory_only', { field: 'name' });
      const now = p.clock.now();
      const flow: RegistrationFlow = {
        id: p.random.bytes(24).toString('base64url'),
        accountId: account.id,
        step: 'employee_id',
        wrongAnswers: 0,
        smsCodeHash: null,
        smsExpiresAt: null,
        smsId: null,
        enrolmentId: null,
        expiresAt: now + p.policy.flowTtlSeconds * 1000,
        createdAt: now,
      };
      await p.store.create(flow);
      const source = input.source.ip;
      await p.audit({ action: 'otp.registration_start', subject: account.id, outcome: 'success', source });
      return flow;
    },

    /**
     * The employee ID, compared as the directory compares it (case and surrounding spaces aside). Passing it sends
     * the SMS code to the directory's mobile number, where there is one and a gateway.
     */
    async submitEmployeeId(flow: RegistrationFlow, typed: unknown, source: { ip: string }): Promise<void> {
      const given = typeof typed === 'string' ? typed.slice(0, 256) : '';
      const check = async () => {
        if (!(await p.directory.employeeIdMatches(flow.accountId, given)))
          throw new RegistrationError('registration.wrong_employee_id', { field: 'employee_id' });
      };
      await answer(flow, 'employee_id', check, source.ip);
      if (sms) await sms.send({ ...flow, step: 'code' }, source);
    },
  };
}

/** The code step: the flow's SMS code or the person's helpdesk code, either of which opens it once. */
function verification(p: RegistrationPorts, answer: ReturnType<typeof answering>, sms: Sms, hash: Hash) {
  return {
    /** A new SMS code for a flow at its code step (the first did not come); limited per person, number and source. */
    async resendSms(flow: RegistrationFlow, source: { ip: string }): Promise<void> {
      if (flow.step !== 'code') throw new RegistrationError('registration.flow_expired');
      if (sms) await sms.send(flow, source);
    },

    /** What the code step tells the person: whether an SMS went out, to which number, and how it is going. */
    codeStep: async (flow: RegistrationFlow): Promise<CodeStep> =>
      sms ? sms.state(flow) : { sms: 'not_configured', maskedNumber: null },

    async submitCode(flow: RegistrationFlow, input: unknown, source: { ip: string }): Promise<void> {
      const code = readCode(input);
      const check = async () => {
        const now = p.clock.now();
        if (code?.kind === 'sms') {
          const good = flow.smsCodeHash !== null && (flow.smsExpiresAt ?? 0) > now;
          if (good && sameHash(hash('sms', `${flow.id}:${code.value}`), flow.smsCodeHash!)) return;
        } else if (code?.kind === 'helpdesk') {
          if (await p.store.useCode(flow.accountId, hash('helpdesk', code.value), now)) return;
        }
        throw new RegistrationError('registration.wrong_code', { field: 'code' });
      };
      await answer(flow, 'code', check, source.ip);
    },
  };
}

/** The new token: the QR code, then its first code, which makes it the person's one software token. */
function enrolment(p: RegistrationPorts) {
  return {
    /** The token this flow registers: the one already shown (same QR code) while it waits, else a new one. */
    async enrolment(flow: RegistrationFlow): Promise<Enrolment> {
      if (flow.step !== 'enrol') throw new RegistrationError('registration.flow_expired');
      const label = await p.label(flow.accountId);
      const shown = flow.enrolmentId && (await p.otp.pendingEnrolment(flow.accountId, flow.enrolmentId, label));
      if (shown) return shown;
      const started = await p.otp.beginEnrolment(flow.accountId, label, 'mobile', { proof: 'registration' });
      await p.store.setEnrolment(flow.id, started.tokenId);
      return started;
    },

    /**
     * The PC app's token (POST /api/otp/desktop/register): a new one at each call, bound to the device's salted serial
     * hash. Its seed goes to the app once and is kept nowhere: Tessera stores only the secret bound to the hash.
     */
    async desktopEnrolment(flow: RegistrationFlow, serialHash: string, source: { ip: string }): Promise<Enrolment> {
      if (flow.step !== 'enrol') throw new RegistrationError('registration.flow_expired');
      const label = await p.label(flow.accountId);
      const started = await p.otp.beginEnrolment(flow.accountId, label, 'desktop', {
        proof: 'registration',
        deviceSerial: serialHash,
        source: source.ip,
      });
      await p.store.setEnrolment(flow.id, started.tokenId);
      return started;
    },

    /**
     * The new token's first code: it becomes the person's one software token ("only the last registered device is
     * valid"), the person is told by mail, and the flow is done.
     */
    async confirm(flow: RegistrationFlow, code: unknown, source: { ip: string }): Promise<Confirmed> {
      if (flow.step !== 'enrol' || flow.enrolmentId === null) throw new RegistrationError('registration.flow_expired');
      const confirmed = await p.otp.confirmEnrolment(flow.accountId, flow.enrolmentId, code, {
        source: source.ip,
        proof: 'registration',
      });
      await p.store.complete(flow.id, p.clock.now());
      await p.afterEnrolment(flow.accountId, confirmed);
      return confirmed;
    },
  };
}

type Hash = ReturnType<typeof codeHasher>;

export function createRegistration(p: RegistrationPorts) {
  const hash = codeHasher(p.codePepper);
  const sms = p.sms && smsStep(p, p.sms, hash);
  const answer = answering(p);
  return {
    ...identification(p, answer, sms),
    ...verification(p, answer, sms, hash),
    ...enrolment(p),

    /** The open flow a browser names (its cookie), if any. */
    find: (id: unknown) =>
      typeof id === 'string' && id !== '' ? p.store.findOpen(id, p.clock.now()) : Promise.resolve(undefined),

    /**
     * A registration code for a person whose SMS does not come (the helpdesk, `tessera otp registration-code`):
     * single use, short life, stored hashed; the person's earlier unused code stops working. The caller audits it.
     */
    async issueHelpdeskCode(accountId: string, issuedBy: string): Promise<{ code: string; expiresAt: number }> {
      const code = newHelpdeskCode(p.random);
      const now = p.clock.now();
      const expiresAt = now + p.policy.helpdeskCodeTtlSeconds * 1000;
      const codeHash = hash('helpdesk', readCode(code)!.value);
      const id = p.random.bytes(16).toString('hex');
      await p.store.issueCode({ id, accountId, codeHash, issuedBy, expiresAt, createdAt: now });
      return { code, expiresAt };
    },

    /** Forgets flows and codes that expired over a day ago. */
    purge: () => p.store.purge(p.clock.now() - 24 * 3600 * 1000),
  };
}

export type Registration = ReturnType<typeof createRegistration>;
