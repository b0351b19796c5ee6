// Facebook: plain OAuth 2.0 (with PKCE) and the Graph API's `/me?fields=id,name,email`, every Graph call carrying
// `appsecret_proof` (the access token's HMAC-SHA256 under the app secret), so a stolen token is useless elsewhere.
import { createHash, createHmac } from 'node:crypto';
import { SocialError } from './errors.ts';
import { classify } from './failures.ts';
import type { SocialIdentity, SocialProvider, TripChecks } from './provider.ts';

export interface FacebookOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  dialogUrl: string;
  graphUrl: string;
  graphVersion: string;
  timeoutSeconds: number;
}

export function createFacebookProvider(o: FacebookOptions): SocialProvider {
  const graph = (path: string, params: Record<string, string>) => {
    const url = new URL(`${o.graphUrl.replace(/\/$/, '')}/${o.graphVersion}/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  };
  async function getJson(url: URL): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(o.timeoutSeconds * 1000) });
    } catch (err) {
      throw classify(err);
    }
    if (response.status >= 500) throw new SocialError('social.unavailable', { message: `Graph ${response.status}` });
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok || !body) throw new SocialError('social.rejected', { message: `Graph ${response.status}` });
    return body;
  }

  return {
    name: 'facebook',
    async authorizationUrl(checks) {
      const url = new URL(`${o.dialogUrl.replace(/\/$/, '')}/${o.graphVersion}/dialog/oauth`);
      const challenge = createHash('sha256').update(checks.codeVerifier).digest('base64url');
      url.search = new URLSearchParams({
        client_id: o.clientId,
        redirect_uri: o.redirectUri,
        response_type: 'code',
        scope: 'email public_profile',
        state: checks.state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString();
      return url;
    },
    async identify(callback: URL, checks: TripChecks): Promise<SocialIdentity> {
      if (callback.searchParams.get('state') !== checks.state) throw new SocialError('social.state_invalid');
      const code = callback.searchParams.get('code');
      if (!code) throw new SocialError('social.rejected', { message: 'no code' });
      const token = await getJson(
        graph('oauth/access_token', {
          client_id: o.clientId,
          client_secret: o.clientSecret,
          redirect_uri: o.redirectUri,
          code,
          code_verifier: checks.codeVerifier,
        }),
      );
      const accessToken = typeof token.access_token === 'string' ? token.access_token : undefined;
      if (!accessToken) throw new SocialError('social.rejected', { message: 'no access token' });
      const proof = createHmac('sha256', o.clientSecret).update(accessToken).digest('hex');
      const me = await getJson(
        graph('me', { fields: 'id,name,email', access_token: accessToken, appsecret_proof: proof }),
      );
      const id = typeof me.id === 'string' && /^[0-9]{1,64}$/.test(me.id) ? me.id : undefined;
      if (!id) throw new SocialError('social.rejected', { message: 'Graph /me without an id' });
      const email = typeof me.email === 'string' && me.email.includes('@') ? me.email.slice(0, 320) : null;
      return {
        provider: 'facebook',
        subject: id,
        email,
        // Graph answers `email` only with an address its owner has confirmed at Facebook.
        emailVerified: email !== null,
        name: typeof me.name === 'string' ? me.name.slice(0, 200) : null,
      };
    },
  };
}
