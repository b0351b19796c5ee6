import { TesseraError } from '../errors/index.ts';

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

export class IdentityError extends TesseraError<IdentityErrorCode> {
  /** `params.seconds` of `identity.too_many_attempts` is also its Retry-After (the message's `{seconds}`). */
  constructor(code: IdentityErrorCode, field?: string, params?: Record<string, number>) {
    super(code, {
      field,
      params,
      retryAfterSeconds: code === 'identity.too_many_attempts' ? params?.seconds : undefined,
    });
  }
}
