// Time and randomness are injected so that expiry, TOTP and lockout tests set the time instead of sleeping.
import { randomBytes, randomInt } from 'node:crypto';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test moves by hand. */
export function manualClock(
  startMs = Date.UTC(2026, 0, 1),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

export interface Random {
  bytes(length: number): Buffer;
  /** A uniformly drawn integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

export const cryptoRandom: Random = { bytes: (n) => randomBytes(n), int: (max) => randomInt(max) };

export { formatDuration, isDurationParam } from './duration.ts';
