// The web's only door: everything outside src/web (the OIDC interaction routes and mount, the composition root)
// takes what it needs from here. Pages are rendered only under ./pages; the route registrars put them on Fastify.

// Pages and their parts.
export { html, layout, escape, Html } from './pages/html.ts';
export { errorSummary, field, hiddenInputs, type FieldError, type FieldOptions } from './pages/forms.ts';
export {
  confirmLinkPage,
  confirmUnsubscribePage,
  consentPage,
  homePage,
  messagePage,
  signInPage,
  signUpPage,
  socialButtons,
  socialConfirmPage,
  socialProvePage,
  verifyPage,
  type FormContext,
} from './pages/account-pages.ts';
export { otpCodePage, otpEnrolPage, type EnrolPageModel } from './pages/otp-pages.ts';
export { loggedOutPage, logoutPage, oauthErrorPage, providerPages } from './pages/provider-pages.ts';
export { samlPostPage, samlPostScript, samlPostScriptPath } from './pages/saml-pages.ts';

// Forms: CSRF tokens, device cookies, the OTP registration form, errors mapped once.
export { createCsrf, type Csrf } from './csrf.ts';
export {
  createDeviceCookies,
  deviceCookieName,
  type DeviceCookies,
  type DeviceCookieOptions,
} from './device-cookie.ts';
export { enrolmentAnswer, enrolmentForm, type EnrolmentForm } from './enrolment.ts';
export { answerStatus, formError, webAnswer, type WebAnswer, type WebAnswerOptions } from './error-map.ts';
export { registerErrorHandling, sendProblem } from './errors.ts';
export { readCookie, socialCookie, socialFailure, startTrip, type SocialWeb } from './social-trip.ts';

// What every response carries, and the server's own health and logs.
export { registerSecurityHeaders, contentSecurityPolicy } from './security-headers.ts';
export { registerStylesheet, stylesheetHref, stylesheetPath } from './stylesheet.ts';
export { registerLocale, pageContext, languageCookie, viewCookie, type LocaleOptions } from './locale.ts';
export { createMetrics, registerObservability, type Metrics } from './observability.ts';
export { createLogger, redactUrl } from './logging.ts';

// Route registrars.
export { registerAccountSite, accountClientId, type AccountSiteOptions } from './account-site/index.ts';
export { registerAccountRoutes, type AccountRouteOptions } from './account-routes.ts';
export { registerResetRoutes, type ResetRouteOptions } from './reset-routes.ts';
export { registerRegistrationRoutes, type RegistrationRouteOptions } from './registration-routes.ts';
export { registerSmsStatusRoute, type SmsStatusRouteOptions } from './sms-status-route.ts';
export type { MailboxEntry } from './pages/mailbox-page.ts';
export { registerOtpValidateApi, type ValidateApiOptions } from './api/otp-validate.ts';
export { registerDesktopRegistrationApi, type DesktopRegistrationApiOptions } from './api/desktop-registration.ts';
export { registerConsole, consoleClientId, type ConsoleOptions } from './console/index.ts';
