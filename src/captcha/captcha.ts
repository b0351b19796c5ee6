// An accessible captcha for password reset: ALTCHA proof of work (altcha-lib). There is no picture to read and no
// sound to hear: the browser spends a moment of computation, announced to screen readers, so a blind person passes
// as easily as anyone while a script pays for every attempt. A solution is accepted once: spending it is an insert
// under a primary key, so two simultaneous uses cannot both succeed (checklist T21).
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import type { Clock } from '../clock/index.ts';
import { CaptchaConfigError, CaptchaError } from './errors.ts';
import { expiresAtMs, parsePayload } from './payload.ts';

export interface CaptchaOptions {
  /** The server's secret: challenges are signed with it, so a browser cannot make up an easy one. */
  hmacKey: string;
  /** Spent solutions, shared by every node. */
  spent: SpentSolutions;
  clock: Clock;
  /** Upper bound of the number to find: the work a browser does (about half of it on average). */
  maxNumber?: number;
  /** How long a challenge may be answered; a page left open longer gets a fresh one on its next submit. */
  expiresSeconds?: number;
}

/** Where spent solutions are kept; src/captcha/sql/ keeps them in the database. */
export interface SpentSolutions {
  /** Records the solution's signature until `expiresAt`; false when it was recorded before (a replay). */
  spend(signature: string, expiresAt: number): Promise<boolean>;
  /** Forgets those whose challenge expired at or before `atMs`. */
  purge(atMs: number): Promise<void>;
}

/** What the page hands to the solver (the ALTCHA challenge JSON). */
export interface CaptchaChallenge {
  algorithm: string;
  challenge: string;
  maxnumber?: number;
  salt: string;
  signature: string;
}

export interface Captcha {
  challenge(): Promise<CaptchaChallenge>;
  /** Resolves when the payload solves one of our challenges, unexpired and never used; throws CaptchaError. */
  verify(payload: unknown): Promise<void>;
  /** Deletes spent solutions whose challenge has expired (a replay of them is refused as expired anyway). */
  purge(): Promise<void>;
}

// About a second on a phone; a script that wants a thousand resets pays a thousand of them.
const defaults = { maxNumber: 100_000, expiresSeconds: 600 };

export function createCaptcha(o: CaptchaOptions): Captcha {
  const maxNumber = o.maxNumber ?? defaults.maxNumber;
  const expiresSeconds = o.expiresSeconds ?? defaults.expiresSeconds;
  if (typeof o.hmacKey !== 'string' || o.hmacKey.length < 16)
    throw new CaptchaConfigError('hmacKey (at least 16 characters)');
  if (!Number.isSafeInteger(maxNumber) || maxNumber < 1) throw new CaptchaConfigError('maxNumber');
  if (!Number.isSafeInteger(expiresSeconds) || expiresSeconds < 1) throw new CaptchaConfigError('expiresSeconds');

  return {
    async challenge() {
      return createChallenge({
        hmacKey: o.hmacKey,
        maxNumber,
        algorithm: 'SHA-256',
        expires: new Date(o.clock.now() + expiresSeconds * 1000),
      });
    },

    async verify(payload) {
      const solution = parsePayload(payload);
      // Expiry is checked below with the injected clock, after the signature proves the salt (and its expiry) is ours.
      if (!(await verifySolution(solution, o.hmacKey, false))) throw new CaptchaError('captcha.invalid');
      const expiresAt = expiresAtMs(solution.salt);
      if (expiresAt === undefined) throw new CaptchaError('captcha.invalid');
      if (expiresAt <= o.clock.now()) throw new CaptchaError('captcha.expired');
      // Kept as long as the challenge could be answered; the signature is unique to the challenge.
      if (!(await o.spent.spend(solution.signature, expiresAt))) throw new CaptchaError('captcha.replayed');
    },

    async purge() {
      await o.spent.purge(o.clock.now());
    },
  };
}
