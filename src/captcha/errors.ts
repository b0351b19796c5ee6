// Each code is also the message id the reset page shows (src/web/i18n), so a person learns what to do next.
export type CaptchaErrorCode = 'captcha.missing' | 'captcha.invalid' | 'captcha.expired' | 'captcha.replayed';

export class CaptchaError extends Error {
  readonly code: CaptchaErrorCode;
  constructor(code: CaptchaErrorCode) {
    super(code);
    this.code = code;
  }
}

/** A setting that cannot work (short key, no work to do): thrown when the server starts, never to a person. */
export class CaptchaConfigError extends Error {
  readonly code = 'captcha.misconfigured';
  constructor(setting: string) {
    super(`captcha.misconfigured: ${setting}`);
  }
}
