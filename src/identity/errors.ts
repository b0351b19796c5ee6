// Stable codes, mapped once at the edge to a page message (same id in the i18n catalogue) or problem+json.
export type IdentityErrorCode =
  | 'identity.invalid_email'
  | 'identity.email_taken'
  | 'identity.password_too_short'
  | 'identity.password_too_long'
  | 'identity.password_equals_email'
  | 'identity.password_breached'
  | 'identity.invalid_credentials'
  | 'identity.wrong_password'
  | 'identity.email_unchanged'
  | 'identity.email_not_verified'
  | 'identity.verification_invalid'
  | 'identity.wrong_code'
  /** Throttled (guesses at confirmation codes, verification mail): `retryAfterSeconds` says when to come back. */
  | 'identity.too_many_attempts';

export class IdentityError extends Error {
  readonly code: IdentityErrorCode;
  /** The form field the error belongs to, so a page can tie the message to it. */
  readonly field: string | undefined;
  /** Numbers the message names, e.g. the shortest password accepted for this account (`{ min: 15 }`). */
  readonly params: Readonly<Record<string, number>> | undefined;
  constructor(code: IdentityErrorCode, field?: string, params?: Record<string, number>) {
    super(code);
    this.code = code;
    this.field = field;
    this.params = params;
  }

  /** For `identity.too_many_attempts`: the seconds until the next attempt is taken (the message's `{seconds}`). */
  get retryAfterSeconds(): number | undefined {
    return this.code === 'identity.too_many_attempts' ? this.params?.seconds : undefined;
  }
}
