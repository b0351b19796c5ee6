// One interface for every token (mobile, desktop, hardware), as privacyIDEA does: callers never switch on the type.
// What the type decides lives in token-types.ts; here only the code generator differs: by time step (TOTP) when the
// token has a period, by counter (HOTP) when it has none.
import { createSecretKey } from 'node:crypto';
import { hotp, sameCode, timeStep, type OtpAlgorithm } from './hotp.ts';

export type TokenType = 'mobile' | 'desktop' | 'hardware';
export type TokenState = 'pending' | 'active' | 'locked' | 'revoked';

export interface TokenRecord {
  id: string;
  /** Null only for a hardware token imported and not yet assigned. */
  accountId: string | null;
  type: TokenType;
  serial: string;
  state: TokenState;
  algorithm: OtpAlgorithm;
  digits: 6 | 8;
  /** TOTP step length; null for counter-based (HOTP) hardware tokens. */
  periodSeconds: number | null;
  /** Steps the token's clock runs ahead (positive) or behind, as last observed. */
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
  algorithm: OtpAlgorithm;
  digits: 6 | 8;
  periodSeconds: number | null;
  failures: number;
  /** Epoch ms until which codes are not checked; 0 when not delayed. */
  lockedUntil: number;
  createdAt: number;
  activatedAt: number | null;
}

/** A code that matched: the step (or counter) it belongs to and the drift that implies. */
export interface Match {
  step: number;
  drift: number;
}

/** How far searches may reach; validation passes its policy's window, resync its wider ranges. */
export interface Reach {
  windowSteps: number;
  hotpLookAhead: number;
}

export interface OtpToken {
  readonly record: TokenRecord;
  /** The step whose code matches, near the expected one and after the last accepted step. */
  verify(code: string, atMs: number, reach: Reach): Match | undefined;
  /** True when the code is that of a step already accepted (or older) near the expected one: a replay. */
  wasUsed(code: string, atMs: number, reach: Reach): boolean;
  /** Where `second` lies when `first` and `second` are the codes of consecutive steps within `range` steps. */
  resync(
    first: string,
    second: string,
    atMs: number,
    range: { totpSteps: number; hotpCounters: number },
  ): Match | undefined;
  describe(): TokenDescription;
}

export function describeToken(record: TokenRecord): TokenDescription {
  return {
    serial: record.serial,
    type: record.type,
    state: record.state,
    kind: record.periodSeconds === null ? 'hotp' : 'totp',
    algorithm: record.algorithm,
    digits: record.digits,
    periodSeconds: record.periodSeconds,
    failures: record.failures,
    lockedUntil: record.lockedUntil,
    createdAt: record.createdAt,
    activatedAt: record.activatedAt,
  };
}

export function tokenOf(record: TokenRecord, secretBytes: Buffer): OtpToken {
  const secret = createSecretKey(secretBytes);
  const p = { algorithm: record.algorithm, digits: record.digits };
  const codeAt = (step: number) => hotp(secret, step, p);
  const period = record.periodSeconds;
  const now = (atMs: number) => (period === null ? 0 : timeStep(atMs, period));
  // RFC 6238 §5.2 / RFC 4226 §7.2: only a step or counter after the last accepted one can match.
  const first = (record.lastStep ?? -1) + 1;
  // Where the token should be now: the time step corrected by the observed drift, or the next counter.
  const expected = (atMs: number) => (period === null ? first : now(atMs) + record.drift);

  // Each comparison is constant-time; stopping at the first match only tells where in the window the code was,
  // which a person who does not know the code cannot use.
  function search(code: string, from: number, to: number): number | undefined {
    for (let step = Math.max(from, first, 0); step <= to; step++) {
      if (sameCode(codeAt(step), code)) return step;
    }
    return undefined;
  }
  const matchAt = (step: number | undefined, atMs: number): Match | undefined =>
    step === undefined ? undefined : { step, drift: period === null ? 0 : step - now(atMs) };

  return {
    record,
    verify(code, atMs, reach) {
      const centre = expected(atMs);
      // RFC 4226 §7.4: a counter look-ahead window (kept at 10 or less, T16); RFC 6238 §5.2: ± a few time steps.
      const [from, to] =
        period === null
          ? [centre, centre + reach.hotpLookAhead - 1]
          : [centre - reach.windowSteps, centre + reach.windowSteps];
      return matchAt(search(code, from, to), atMs);
    },
    wasUsed(code, atMs, reach) {
      if (record.lastStep === null) return false;
      const from = period === null ? record.lastStep - reach.hotpLookAhead : expected(atMs) - reach.windowSteps;
      let seen = false;
      // No early exit, so the answer's timing does not depend on which step matched.
      for (let step = Math.max(from, 0); step <= record.lastStep; step++) seen = sameCode(codeAt(step), code) || seen;
      return seen;
    },
    resync(a, b, atMs, range) {
      const [from, to] =
        period === null
          ? [first, first + range.hotpCounters]
          : [now(atMs) - range.totpSteps, now(atMs) + range.totpSteps];
      for (let step = Math.max(from, first, 0); step < to; step++) {
        if (sameCode(codeAt(step), a) && sameCode(codeAt(step + 1), b)) return matchAt(step + 1, atMs);
      }
      return undefined;
    },
    describe: () => describeToken(record),
  };
}
