// Each code is also the message id the reset page shows (src/i18n), so a person learns what to do next.
import { TesseraError } from '../errors/index.ts';

export type CaptchaErrorCode = 'captcha.missing' | 'captcha.invalid' | 'captcha.expired' | 'captcha.replayed';

export class CaptchaError extends TesseraError<CaptchaErrorCode> {}

/** A setting that cannot work (short key, no work to do): thrown when the server starts, never to a person. */
export class CaptchaConfigError extends TesseraError<'captcha.misconfigured'> {
  constructor(setting: string) {
    super('captcha.misconfigured', { message: `captcha.misconfigured: ${setting}` });
  }
}
