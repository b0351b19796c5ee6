// One interface for every token type (mobile, desktop, hardware), as privacyIDEA does: callers never switch on the
// type. What differs is only how the code is generated: by time step (TOTP) or by counter (HOTP).
import { createSecretKey } from 'node:crypto';
import { hotp, sameCode, timeStep, type OtpAlgorithm } from './hotp.ts';

export type TokenType = 'mobile' | 'desktop' | 'hardware';
export type TokenState = 'pending' | 'active' | 'locked' | 'revoked';

export interface TokenRecord {
  id: string;
  accountId: string | null;
  type: TokenType;
  serial: string;
  state: TokenState;
  algorithm: OtpAlgorithm;
  digits: 6 | 8;
  /** TOTP step length; null for counter-based (HOTP) hardware tokens. */
  periodSeconds: number | null;
  drift: number;
  /** The last accepted time step or counter. */
  lastStep: number | null;
  failures: number;
  lockedUntil: number;
  pendingExpiresAt: number | null;
  createdAt: number;
  activatedAt: number | null;
}

/** What may be shown about a token: never the secret. */
export interface TokenDescription {
  serial: string;
  type: TokenType;
  state: TokenState;
  kind: 'totp' | 'hotp';
  createdAt: number;
  activatedAt: number | null;
}

export interface OtpToken {
  readonly record: TokenRecord;
  /** The step whose code matches, within ±window of the expected one and after the last accepted step. */
  match(code: string, atMs: number, windowSteps: number): number | undefined;
  /** True when the code is that of a step already accepted (or older) within the window: a replay. */
  usedBefore(code: string, atMs: number, windowSteps: number): boolean;
  /** The step of `second` when `first` and `second` are consecutive codes found within a wide search. */
  resync(first: string, second: string, atMs: number): number | undefined;
  /** The drift, in steps, that a match at `step` means (time-based tokens only). */
  driftAt(step: number, atMs: number): number;
  describe(): TokenDescription;
}

// RFC 4226 §7.4: counter look-ahead window; kept small (T16). Resync may look further, with two codes.
const hotpLookAhead = 10;
const resyncSteps = 120;

export function tokenOf(record: TokenRecord, secretBytes: Buffer): OtpToken {
  const secret = createSecretKey(secretBytes);
  const p = { algorithm: record.algorithm, digits: record.digits };
  const codeAt = (step: number) => hotp(secret, step, p);
  const timeBased = record.periodSeconds !== null;
  const current = (atMs: number) => timeStep(atMs, record.periodSeconds ?? 30);
  const after = record.lastStep ?? -1;

  // Each comparison is constant-time; stopping at the first match only tells where in the window the code was,
  // which a person who does not know the code cannot use.
  function search(code: string, from: number, to: number): number | undefined {
    for (let step = Math.max(from, after + 1, 0); step <= to; step++) {
      if (sameCode(codeAt(step), code)) return step;
    }
    return undefined;
  }

  return {
    record,
    match(code, atMs, windowSteps) {
      if (!timeBased) return search(code, after + 1, after + hotpLookAhead);
      const expected = current(atMs) + record.drift;
      return search(code, expected - windowSteps, expected + windowSteps);
    },
    usedBefore(code, atMs, windowSteps) {
      if (record.lastStep === null) return false;
      const from = timeBased ? current(atMs) + record.drift - windowSteps : record.lastStep - hotpLookAhead;
      let seen = false;
      for (let step = Math.max(from, 0); step <= record.lastStep; step++) seen = sameCode(codeAt(step), code) || seen;
      return seen;
    },
    resync(first, second, atMs) {
      const [from, to] = timeBased ? [current(atMs) - resyncSteps, current(atMs) + resyncSteps] : [after + 1, after + resyncSteps];
      for (let step = Math.max(from, after + 1, 0); step < to; step++) {
        if (sameCode(codeAt(step), first) && sameCode(codeAt(step + 1), second)) return step + 1;
      }
      return undefined;
    },
    driftAt(step, atMs) {
      return timeBased ? step - current(atMs) : 0;
    },
    describe() {
      return { serial: record.serial, type: record.type, state: record.state, kind: timeBased ? 'totp' : 'hotp', createdAt: record.createdAt, activatedAt: record.activatedAt };
    },
  };
}
