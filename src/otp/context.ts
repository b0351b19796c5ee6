// What the enrolment, validation and helpdesk parts of the OTP service share: their inputs, the policy, the opened
// secrets and the lockout rule.
import type { Clock, Random } from '../clock/index.ts';
import type { Sealer } from '../store/index.ts';
import type { OtpPolicy } from './policy.ts';
import type { HoldBackStep, OtpStore, StoredToken } from './store.ts';
import { tokenOf, type OtpToken, type Reach, type TokenRecord } from './token.ts';

export interface AuditEvent {
  action: string;
  subject: string | null;
  outcome: string;
  /** The address the attempt came from, when the caller knows it. */
  source?: string;
  details?: Record<string, unknown>;
}

/** Where and when an attempt happened, as the edge (web, RADIUS, API) saw it. */
export interface AttemptOptions {
  /** The server's time when the code arrived; defaults to the clock. Never a time the client sent (T14). */
  atMs?: number;
  /** The client address, for the audit trail. */
  source?: string;
}

export interface OtpContext {
  store: OtpStore;
  sealer: Sealer;
  clock: Clock;
  random: Random;
  policy: OtpPolicy;
  reach: Reach;
  issuerName: string;
  audit(event: AuditEvent): Promise<void>;
  secretOf(token: StoredToken): Buffer;
  open(token: StoredToken): OtpToken;
  /**
   * Counts a failure on the token before its code is compared, with the delay the new count earns, so that parallel
   * attempts cannot all be compared before the first failure is counted (checklist T45). Undefined when the token
   * is locked or held back (racing attempts took its last free failure): its code must not be compared.
   */
  reserveFailure(token: TokenRecord, atMs: number): Promise<ReservedFailure | undefined>;
  /** The attempt was not this token's failure (its code matched, or another token's did): the count is given back. */
  refundFailure(reserved: ReservedFailure): Promise<void>;
  /** The reserved failure stands (a wrong or replayed code): the count that reaches maxFailures locks the token. */
  failureStands(reserved: ReservedFailure, source: string | undefined): Promise<void>;
}

export interface ReservedFailure {
  token: TokenRecord;
  failures: number;
  lockedUntil: number;
}

/**
 * The delay each count of consecutive failures earns, from freeFailures on: growing delays throttle a guesser
 * without letting anyone lock a victim out for good with a few tries (T8). The attempt that reaches maxFailures is
 * held back the longest while its code is compared; a wrong one then locks the token (NIST SP 800-63B §3.2.2).
 */
export function holdBackSteps(policy: OtpPolicy): HoldBackStep[] {
  const steps: HoldBackStep[] = [];
  for (let failures = policy.freeFailures; failures <= policy.maxFailures; failures++) {
    const delaySeconds =
      failures >= policy.maxFailures
        ? policy.maxDelaySeconds
        : Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (failures - policy.freeFailures));
    steps.push({ failures, delayMs: delaySeconds * 1000 });
    if (delaySeconds >= policy.maxDelaySeconds) break;
  }
  return steps;
}

// The sealed secret is bound to its token id, so a sealed value copied onto another row does not open.
export const sealContext = (tokenId: string) => `otp:${tokenId}`;

export function createContext(
  o: Omit<OtpContext, 'secretOf' | 'open' | 'reserveFailure' | 'refundFailure' | 'failureStands' | 'reach'>,
): OtpContext {
  const { store, sealer, policy } = o;
  // Opening a sealed secret is the costliest step of a validation; an opened one is kept by its sealed form, so a
  // re-sealed or deleted token is never served from here.
  const opened = new Map<string, Buffer>();
  const secretOf = (t: StoredToken) => {
    let secret = opened.get(t.secretSealed);
    if (!secret) {
      secret = Buffer.from(sealer.open(t.secretSealed, sealContext(t.record.id)), 'base64');
      if (opened.size >= 10_000) opened.clear();
      opened.set(t.secretSealed, secret);
    }
    return secret;
  };

  const steps = holdBackSteps(policy);

  return {
    ...o,
    reach: { windowSteps: policy.windowSteps, hotpLookAhead: policy.hotpLookAhead },
    secretOf,
    open: (t) => tokenOf(t.record, secretOf(t)),
    async reserveFailure(token, atMs) {
      const counted = await store.reserveFailure(token.id, atMs, steps);
      return counted && { token, ...counted };
    },
    async refundFailure(reserved) {
      await store.refundFailure(reserved.token.id, reserved.lockedUntil);
    },
    async failureStands({ token, failures }, source) {
      if (failures < policy.maxFailures) return;
      // NIST SP 800-63B §3.2.2: no more than 100 consecutive failures; then only the helpdesk unlocks.
      await store.setLock(token.id, 0, true);
      await o.audit({
        action: 'otp.lock',
        subject: token.accountId,
        outcome: 'locked',
        source,
        details: { serial: token.serial, failures },
      });
    },
  };
}
