// The accessible captcha of the password reset form: ALTCHA proof of work, checked on the server, single use.
export {
  createCaptcha,
  type Captcha,
  type CaptchaChallenge,
  type CaptchaOptions,
  type SpentSolutions,
} from './captcha.ts';
export { createSqlSpentSolutions } from './sql/spent-solutions.ts';
export { CaptchaConfigError, CaptchaError, type CaptchaErrorCode } from './errors.ts';

/** The browser side: plain JavaScript, no build step; the web layer serves it as a static file. */
export const solverScriptPath = new URL('./solver.js', import.meta.url);
