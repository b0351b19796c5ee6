export {
  createAccountService,
  type AccountService,
  type AccountLinks,
  type SendMail,
  type PendingVerification,
} from './accounts.ts';
export { IdentityError, type IdentityErrorCode } from './errors.ts';
export { normalizeEmail } from './email.ts';
export {
  createPasswordHasher,
  checkPassword,
  argon2Options,
  type PasswordHasher,
  type PasswordPolicy,
} from './passwords.ts';
export { createSqlIdentityStore } from './sql/identity-store.ts';
export { createSqlEmailChangeStore } from './sql/email-change-store.ts';
export { createSqlPasswordResetStore } from './sql/reset-store.ts';
export { createSqlConsentStore } from './sql/consent-store.ts';
export type {
  Account,
  AccountSearch,
  ListedAccount,
  IdentityStore,
  EmailChange,
  EmailChangeStore,
  PasswordResetLink,
  PasswordResetStore,
  ConsentStore,
  ConsentSource,
  MarketingConsent,
} from './store.ts';
export {
  createWorkforceService,
  countsAsFailedSignIn,
  type WorkforceService,
  type DirectoryPort,
  type DirectoryPerson,
} from './workforce.ts';
export { createSelfService, type SelfService } from './self-service.ts';
export { isBreachedPassword } from './breached.ts';
export {
  createUnsubscribe,
  createUnsubscribeTokens,
  type UnsubscribePorts,
  type UnsubscribeTokens,
} from './unsubscribe.ts';
export { assertStillActive } from './status.ts';
export { createPasswordReset, type PasswordReset } from './reset.ts';
