// An app signing people in over OpenID Connect with openid-client (the real relying-party library), driven through
// Tessera's pages by a cookie-jar agent, step by step, so a test sees every page and redirect a browser would.
import * as client from 'openid-client';
import { createAgent, hiddenField, type RunningTessera } from './tessera.ts';

export const testRedirectUri = 'http://127.0.0.1:9/callback';

/** Registers a first-party app (no consent page) and discovers it as openid-client does. */
export async function registerApp(
  tessera: RunningTessera,
  id: string,
  extra: Record<string, unknown> = {},
): Promise<client.Configuration> {
  const registered = await tessera.clients.add({
    client_id: id,
    client_name: id,
    redirect_uris: [testRedirectUri],
    first_party: true,
    ...extra,
  });
  return client.discovery(new URL(tessera.url), id, String(registered.client_secret), undefined, {
    execute: [client.allowInsecureRequests],
  });
}

export type Agent = ReturnType<typeof createAgent>;

/**
 * Starts an authorization request at `config`'s app and, when a sign-in page comes, signs in with `email` and
 * `password`. `step` is where it stopped: the app's redirect URI, or a Tessera page (`page` holds its HTML).
 */
export async function authorize(
  tessera: RunningTessera,
  config: client.Configuration,
  options: { agent?: Agent; email?: string; password?: string; params?: Record<string, string> } = {},
) {
  const agent = options.agent ?? createAgent();
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: testRedirectUri,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...options.params,
  });
  let step = await agent.follow(url.toString(), tessera.url);
  let page = step.url.startsWith(testRedirectUri) ? '' : await step.response.text();
  if (options.email !== undefined && page.includes('name="password"')) {
    const response = await agent.postForm(`${step.url}/login`, {
      csrf: hiddenField(page, 'csrf'),
      email: options.email,
      password: options.password ?? '',
    });
    const location = response.headers.get('location');
    if (location) {
      step = await agent.follow(new URL(location, tessera.url).toString(), tessera.url);
      page = step.url.startsWith(testRedirectUri) ? '' : await step.response.text();
    } else {
      page = await response.text();
    }
  }
  const exchange = async (callback = step.url) =>
    client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier });
  /** Posts a form of the current page to `path` (relative to the interaction) and follows where it leads. */
  const submit = async (path: string, fields: Record<string, string>) => {
    const response = await agent.postForm(`${step.url}/${path}`, { csrf: hiddenField(page, 'csrf'), ...fields });
    const location = response.headers.get('location');
    if (!location) return { status: response.status, url: step.url, page: await response.text() };
    const next = await agent.follow(new URL(location, tessera.url).toString(), tessera.url);
    return {
      status: next.response.status,
      url: next.url,
      page: next.url.startsWith(testRedirectUri) ? '' : await next.response.text(),
    };
  };
  return { agent, step, page, exchange, submit };
}
