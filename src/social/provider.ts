// One interface for every provider (as token types share one in src/otp): where to send the browser, and who the
// provider vouches for once it comes back. Nothing outside a provider's file knows OIDC from plain OAuth 2.0.

export type SocialProviderName = 'google' | 'microsoft' | 'facebook';

/** The checks a trip carries, made before it leaves and kept in the flow until it returns. */
export interface TripChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the provider vouches for. `subject` is the link's key: never reassigned, unlike the address. */
export interface SocialIdentity {
  provider: SocialProviderName;
  subject: string;
  email: string | null;
  /** The provider confirmed the person owns the address (Google `email_verified`, Microsoft `xms_edov`). */
  emailVerified: boolean;
  name: string | null;
}

export interface SocialProvider {
  readonly name: SocialProviderName;
  authorizationUrl(checks: TripChecks): Promise<URL>;
  /**
   * Checks the callback (state, code, the ID token's issuer, audience, nonce and signature) and answers who signed
   * in; throws SocialError `social.rejected` or `social.unavailable`.
   */
  identify(callback: URL, checks: TripChecks): Promise<SocialIdentity>;
}

/** Each provider's callback: the redirect URI registered at the provider. */
export const callbackPath = (name: SocialProviderName) => `/social/${name}/callback`;
