// Google and Microsoft: OpenID Connect through openid-client (the authorization code flow with PKCE, a nonce, the
// state, and the ID token's issuer, audience, signature and algorithm checked by the library).
import * as client from 'openid-client';
import { SocialError } from './errors.ts';
import type { SocialIdentity, SocialProvider, TripChecks } from './provider.ts';
import { classify } from './failures.ts';

export interface OpenIdProviderOptions {
  name: 'google' | 'microsoft';
  /** Where discovery starts (the issuer, or Microsoft's authority for the tenant). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Turns the checked ID token's claims into the person; throws SocialError when the claims do not fit. */
  identity(claims: client.IDToken): SocialIdentity;
  timeoutSeconds: number;
}

export function createOpenIdProvider(o: OpenIdProviderOptions): SocialProvider {
  // Discovered on first use, so a provider that is down at start-up does not stop Tessera; a failed discovery is
  // tried again next time.
  let configuration: Promise<client.Configuration> | undefined;
  const insecure = new URL(o.issuer).protocol === 'http:';
  function discover(): Promise<client.Configuration> {
    configuration ??= client
      .discovery(new URL(o.issuer), o.clientId, o.clientSecret, undefined, {
        timeout: o.timeoutSeconds,
        // Only with a test or self-hosted override (src/social/config.ts): real providers are https.
        execute: insecure ? [client.allowInsecureRequests] : [],
      })
      .then((c) => {
        c.timeout = o.timeoutSeconds;
        // The ID token's signature is checked against the provider's published keys too, not only trusted for
        // coming over TLS (OIDC Core §3.1.3.7 would allow that): a token signed by another key or `alg: none` fails.
        client.enableNonRepudiationChecks(c);
        return c;
      })
      .catch((err) => {
        configuration = undefined;
        throw classify(err);
      });
    return configuration;
  }

  return {
    name: o.name,
    async authorizationUrl(checks) {
      const config = await discover();
      return client.buildAuthorizationUrl(config, {
        redirect_uri: o.redirectUri,
        scope: 'openid email profile',
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
      });
    },
    async identify(callback: URL, checks: TripChecks) {
      const config = await discover();
      // The token request names the redirect URI registered at the provider (built from the issuer, never the Host).
      const current = new URL(o.redirectUri);
      current.search = callback.search;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        throw classify(err);
      }
      const claims = tokens.claims();
      if (!claims) throw new SocialError('social.rejected', { message: 'no ID token' });
      return o.identity(claims);
    },
  };
}
