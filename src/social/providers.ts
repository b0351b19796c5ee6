// The configured providers, built from the configuration (src/social/config.ts), in the order the pages show them.
import type { SocialConfig } from './config.ts';
import { createFacebookProvider } from './facebook.ts';
import { createOpenIdProvider } from './openid.ts';
import { callbackPath, type SocialProvider } from './provider.ts';
import { googleIdentity, microsoftIdentity } from './shapes.ts';

const timeoutSeconds = 10;

/** `link(path)` builds an address from the issuer (T48): the redirect URI registered at each provider. */
export function createSocialProviders(config: SocialConfig, link: (path: string) => string): SocialProvider[] {
  const providers: SocialProvider[] = [];
  const { google, microsoft, facebook } = config;
  const redirectUri = (name: SocialProvider['name']) => link(callbackPath(name).slice(1));
  if (google) {
    providers.push(
      createOpenIdProvider({
        name: 'google',
        issuer: google.issuer ?? 'https://accounts.google.com',
        clientId: google.clientId,
        clientSecret: google.clientSecret,
        redirectUri: redirectUri('google'),
        identity: googleIdentity,
        timeoutSeconds,
      }),
    );
  }
  if (microsoft) {
    // The authority is the tenant's: `{origin}/{tenant}/v2.0`, whose ID tokens name their own tenant in `iss`.
    const origin = (microsoft.issuer ?? 'https://login.microsoftonline.com').replace(/\/$/, '');
    providers.push(
      createOpenIdProvider({
        name: 'microsoft',
        issuer: `${origin}/${microsoft.tenant}/v2.0`,
        clientId: microsoft.clientId,
        clientSecret: microsoft.clientSecret,
        redirectUri: redirectUri('microsoft'),
        identity: microsoftIdentity(microsoft.tenant),
        timeoutSeconds,
      }),
    );
  }
  if (facebook) {
    providers.push(
      createFacebookProvider({
        clientId: facebook.clientId,
        clientSecret: facebook.clientSecret,
        redirectUri: redirectUri('facebook'),
        dialogUrl: facebook.dialogUrl ?? 'https://www.facebook.com',
        graphUrl: facebook.graphUrl ?? 'https://graph.facebook.com',
        graphVersion: facebook.graphVersion,
        timeoutSeconds,
      }),
    );
  }
  return providers;
}
