// Both sides of the directory bench as load generators for a worker thread (worker-load.ts): sign-ins through
// Tessera's sign-in page, and plain ldapts binds (connect, bind, unbind) as the same user to the same slapd.
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'ldapts';
import { createAgent, hiddenField } from '../test/support/tessera.ts';
import { signInPages } from './sign-in-pages.ts';
import { measure } from './load.ts';
import type { LoadSide } from './worker-load.ts';

interface Load {
  concurrency: number;
  durationMs: number;
}

export async function tesseraSignInLoad(
  o: Load & { tesseraUrl: string; clientId: string; name: string; password: string },
): Promise<LoadSide> {
  const pages = signInPages(o.tesseraUrl, o.clientId, { name: o.name, password: o.password });
  return {
    round: (name) => pages.measure(name, { concurrency: o.concurrency, durationMs: o.durationMs, firstGuess: 600 }),
  };
}

export async function plainBindLoad(o: Load & { ldapUrl: string; dn: string; password: string }): Promise<LoadSide> {
  const plainBind = async () => {
    const ldap = new Client({ url: o.ldapUrl });
    try {
      await ldap.bind(o.dn, o.password);
    } finally {
      await ldap.unbind();
    }
  };
  return { round: (name) => measure(name, plainBind, o) };
}

/**
 * The whole OIDC authorization-code login a relying party drives, per login: the authorization request (with PKCE)
 * up to the sign-in page, the directory password posted to it, the redirects back to the app with a code, and the
 * code exchanged at the token endpoint for an ID token.
 */
export async function tesseraOidcLoginLoad(
  o: Load & { tesseraUrl: string; clientId: string; clientSecret: string; name: string; password: string },
): Promise<LoadSide> {
  const redirectUri = 'http://127.0.0.1:9/cb';
  const authorization = `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`;
  const login = async () => {
    const agent = createAgent();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const start = `${o.tesseraUrl}/oidc/auth?client_id=${o.clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${challenge}&code_challenge_method=S256`;
    const page = await agent.follow(start, o.tesseraUrl);
    const csrf = hiddenField(await page.response.text(), 'csrf');
    const posted = await agent.postForm(`${page.url}/login`, { csrf, email: o.name, password: o.password });
    if (posted.status !== 303) throw new Error(`sign-in answered ${posted.status}`);
    const back = await agent.follow(new URL(posted.headers.get('location')!, page.url).toString(), o.tesseraUrl);
    const code = back.url.startsWith(redirectUri) ? new URL(back.url).searchParams.get('code') : null;
    if (!code) throw new Error(`the login ended at ${back.url}, not at the app with a code`);
    const token = await fetch(`${o.tesseraUrl}/oidc/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const body = (await token.json()) as { id_token?: string };
    if (token.status !== 200 || !body.id_token) throw new Error(`token endpoint answered ${token.status}`);
  };
  return { round: (name) => measure(name, login, o) };
}
