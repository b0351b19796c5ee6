import { TesseraError } from '../errors/index.ts';

// Stable codes, mapped once at the edge to a page message (the same id in the catalogue).
export type SocialErrorCode =
  /** The browser came back with a state this node never sent it, an expired one, or one already used. */
  | 'social.state_invalid'
  /** The person pressed Cancel at the provider (error=access_denied). */
  | 'social.cancelled'
  /** The provider could not be reached, timed out or answered with a server error. */
  | 'social.unavailable'
  /** The provider's answer failed a check: issuer, audience, nonce, signature, algorithm, or a refused code. */
  | 'social.rejected'
  /** No address the provider has confirmed, so no account can be made from it. */
  | 'social.email_unverified'
  /** An account with this address exists: the person proves it before the provider is linked to it. */
  | 'social.account_exists'
  /** Staff accounts sign in with their company password, never through a social provider. */
  | 'social.workforce'
  /** This provider account is linked to another Tessera account. */
  | 'social.linked_elsewhere'
  /** Unlinking would leave the account with no way to sign in. */
  | 'social.last_method'
  /** Linking a provider, or deleting an account with no password, needs a recent sign-in: the person signs in again. */
  | 'social.signin_again'
  /** The provider is not configured here. */
  | 'social.unknown_provider';

export class SocialError extends TesseraError<SocialErrorCode> {}
