// What the enrolment, validation and helpdesk parts of the OTP service share: their inputs, the policy, the opened
// secrets and the lockout rule.
import type { Clock, Random } from '../clock/index.ts';
import type { Sealer } from '../store/index.ts';
import type { OtpPolicy } from './policy.ts';
import type { OtpStore, StoredToken } from './store.ts';
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
  /** Counts a failed attempt on the token and applies the growing delay or the lock it earns. */
  countFailure(token: TokenRecord, atMs: number, source: string | undefined): Promise<void>;
}

// The sealed secret is bound to its token id, so a sealed value copied onto another row does not open.
export const sealContext = (tokenId: string) => `otp:${tokenId}`;

export function createContext(o: Omit<OtpContext, 'secretOf' | 'open' | 'countFailure' | 'reach'>): OtpContext {
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

  async function countFailure(token: TokenRecord, atMs: number, source: string | undefined): Promise<void> {
    const failures = await store.recordFailure(token.id);
    if (failures >= policy.maxFailures) {
      // NIST SP 800-63B §3.2.2: no more than 100 consecutive failures; then only the helpdesk unlocks.
      await store.setLock(token.id, 0, true);
      await o.audit({ action: 'otp.lock', subject: token.accountId, outcome: 'locked', source, details: { serial: token.serial, failures } });
    } else if (failures >= policy.freeFailures) {
      // Growing delays throttle a guesser without letting anyone lock a victim out for good with a few tries (T8).
      const delaySeconds = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (failures - policy.freeFailures));
      await store.setLock(token.id, atMs + delaySeconds * 1000, false);
    }
  }

  return {
    ...o,
    reach: { windowSteps: policy.windowSteps, hotpLookAhead: policy.hotpLookAhead },
    secretOf,
    open: (t) => tokenOf(t.record, secretOf(t)),
    countFailure,
  };
}
