// An accessible captcha for password reset: ALTCHA proof of work (altcha-lib). There is no picture to read and no
// sound to hear: the browser spends a moment of computation, announced to screen readers, so a blind person passes
// as easily as anyone while a script pays for every attempt. A solution is accepted once (kept in the database).
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import type { Kysely } from 'kysely';
import { isUniqueViolation, type Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

export type CaptchaErrorCode = 'captcha.missing' | 'captcha.invalid' | 'captcha.replayed';

export class CaptchaError extends Error {
  readonly code: CaptchaErrorCode;
  constructor(code: CaptchaErrorCode) {
    super(code);
    this.code = code;
  }
}

export interface CaptchaOptions {
  db: Kysely<Database>;
  clock: Clock;
  hmacKey: string;
  /** Upper bound of the number to find: the work a browser does (≈ half of it on average). */
  maxNumber: number;
  expiresSeconds: number;
}

export function createCaptcha(o: CaptchaOptions) {
  return {
    /** The challenge the page embeds; the browser finds the number and sends it back with the form. */
    async challenge() {
      return createChallenge({ hmacKey: o.hmacKey, maxNumber: o.maxNumber, expires: new Date(o.clock.now() + o.expiresSeconds * 1000) });
    },

    async verify(payload: unknown): Promise<void> {
      if (typeof payload !== 'string' || payload.trim() === '') throw new CaptchaError('captcha.missing');
      if (payload.length > 2000) throw new CaptchaError('captcha.invalid');
      let signature: string;
      try {
        const decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { signature?: unknown };
        if (typeof decoded.signature !== 'string') throw new Error('no signature');
        signature = decoded.signature;
        if (!await verifySolution(payload, o.hmacKey, true)) throw new Error('not verified');
      } catch {
        throw new CaptchaError('captcha.invalid');
      }
      try {
        await o.db.insertInto('captcha_spent').values({ signature: signature.slice(0, 128), expires_at: o.clock.now() + o.expiresSeconds * 1000 }).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new CaptchaError('captcha.replayed');
        throw err;
      }
    },

    async purge(): Promise<void> {
      await o.db.deleteFrom('captcha_spent').where('expires_at', '<', o.clock.now()).execute();
    },
  };
}

export type Captcha = ReturnType<typeof createCaptcha>;

/** The browser side: plain JavaScript served at /static/captcha.js (see src/web). */
export const solverScriptPath = new URL('./solver.js', import.meta.url);
