// Tessera with social providers played by real servers on 127.0.0.1 (test/support/social-idp.ts), and a browser-like
// agent that keeps each site's cookies apart (Tessera and the provider both run oidc-provider, with the same cookie
// names) and follows every redirect across them, as a browser would.
import * as client from 'openid-client';
import type { ConfigInput } from '../../src/config.ts';
import type { Clock } from '../../src/clock/index.ts';
import { testRedirectUri } from './oidc.ts';
import { startOidcIdp, startFacebookGraph, type FacebookGraph, type OidcIdp } from './social-idp.ts';
import { hiddenField, startTessera, type RunningTessera } from './tessera.ts';

export interface SocialStage {
  tessera: RunningTessera;
  google: OidcIdp;
  microsoft: OidcIdp;
  facebook: FacebookGraph;
  stop(): Promise<void>;
}

export async function startSocialStage(
  dialect: 'sqlite' | 'postgres',
  config: ConfigInput = {},
  options: { clock?: Clock } = {},
): Promise<SocialStage> {
  const google = await startOidcIdp('google');
  const microsoft = await startOidcIdp('microsoft');
  const facebook = await startFacebookGraph();
  const tessera = await startTessera(
    dialect,
    {
      ...config,
      social: {
        google: { clientId: google.clientId, clientSecret: google.clientSecret, issuer: google.issuer },
        microsoft: {
          clientId: microsoft.clientId,
          clientSecret: microsoft.clientSecret,
          tenant: microsoft.tenant,
          issuer: microsoft.issuer,
        },
        facebook: {
          clientId: facebook.clientId,
          clientSecret: facebook.clientSecret,
          dialogUrl: facebook.url,
          graphUrl: facebook.url,
        },
        ...config.social,
      },
    },
    options,
  );
  google.allow(`${tessera.url}/social/google/callback`);
  microsoft.allow(`${tessera.url}/social/microsoft/callback`);
  return {
    tessera,
    google,
    microsoft,
    facebook,
    async stop() {
      await tessera.stop();
      await google.close();
      await microsoft.close();
      await facebook.close();
    },
  };
}

export interface Step {
  status: number;
  url: string;
  page: string;
}

export function createWebAgent() {
  const jars = new Map<string, Map<string, string>>();
  const jar = (url: string) => {
    const host = new URL(url).host;
    if (!jars.has(host)) jars.set(host, new Map());
    return jars.get(host)!;
  };
  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookies = jar(url);
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookieHeader ? { cookie: cookieHeader } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0\b/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }
  /** Follows redirects (any site) until a page answers, the app's redirect URI or `stopAt` is reached. */
  async function go(url: string, init: RequestInit = {}, stopAt = testRedirectUri): Promise<Step> {
    let current = url;
    let response = await request(current, init);
    while (response.status >= 300 && response.status < 400) {
      current = new URL(response.headers.get('location')!, current).toString();
      if (current.startsWith(testRedirectUri) || current.includes(stopAt)) {
        return { status: response.status, url: current, page: '' };
      }
      response = await request(current);
    }
    return { status: response.status, url: current, page: await response.text() };
  }
  const post = (url: string, fields: Record<string, string>, stopAt?: string) =>
    go(
      url,
      {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      },
      stopAt,
    );
  return { jars, request, go, post, jar };
}

export type WebAgent = ReturnType<typeof createWebAgent>;

/** An app's authorization request; `start` lands on Tessera's sign-in page, `exchange` redeems the callback. */
export async function appRequest(
  tessera: RunningTessera,
  config: client.Configuration,
  params: Record<string, string> = {},
) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: testRedirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  return {
    url,
    exchange: (callback: string) =>
      client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier }),
    tessera,
  };
}

/** Presses "Continue with <provider>" on a Tessera page and follows the trip to its end. */
export async function pressProvider(
  agent: WebAgent,
  tesseraUrl: string,
  page: Step,
  provider: string,
  stopAt?: string,
): Promise<Step> {
  const action = page.page.match(new RegExp(`action="(/[^"]*/social/${provider})"`))?.[1];
  if (!action) throw new Error(`no ${provider} button on ${page.url}`);
  return agent.post(new URL(action, tesseraUrl).toString(), { csrf: hiddenField(page.page, 'csrf') }, stopAt);
}

/** From an app's authorization request to the end of a sign-in with `provider`. */
export async function signInWith(
  tessera: RunningTessera,
  config: client.Configuration,
  provider: string,
  agent = createWebAgent(),
) {
  const request = await appRequest(tessera, config);
  const signInPage = await agent.go(request.url.toString());
  const end = await pressProvider(agent, tessera.url, signInPage, provider);
  return { agent, end, signInPage, request, exchange: () => request.exchange(end.url) };
}
