// Signing in to the console is an authorization request of its own first-party client that always asks for a fresh
// password and the one-time code (prompt=login, max_age=0, acr_values mfa); the callback checks the SSO session it
// left proves both, just now, and that the person holds a role, before the console session starts.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { acr } from '../../signin/index.ts';
import { messagePage } from '../pages/account-pages.ts';
import { consoleClientId, type ConsoleKit } from './kit.ts';

const stateCookie = 'tessera_console_state';
/** The sign-in the callback accepts was made within this long (it was forced anew by max_age=0). */
const freshMs = 10 * 60 * 1000;

export function registerConsoleSignIn(app: FastifyInstance, kit: ConsoleKit): void {
  const o = kit.options;
  const secure = o.secureCookies ? '; Secure' : '';

  app.get('/console/login', async (_req, reply) => {
    const state = randomBytes(16).toString('base64url');
    const url = new URL('/oidc/auth', o.issuer);
    url.search = new URLSearchParams({
      client_id: consoleClientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${o.issuer}/console/callback`,
      state,
      code_challenge: randomBytes(32).toString('base64url'),
      code_challenge_method: 'S256',
      prompt: 'login',
      max_age: '0',
      acr_values: acr.mfa,
    }).toString();
    reply.header('set-cookie', `${stateCookie}=${state}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=600${secure}`);
    return reply.redirect(url.toString(), 303);
  });

  const shortText = { type: 'string', maxLength: 100 } as const;
  app.get<{ Querystring: { state?: string; error?: string } }>(
    '/console/callback',
    { schema: { querystring: { type: 'object', properties: { state: shortText, error: shortText } } } },
    async (req, reply) => {
      const expected = new RegExp(`(?:^|;\\s*)${stateCookie}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
      if (req.query.error || !expected || expected !== req.query.state) {
        return kit.page(reply, 400, messagePage('console.title', 'web.interaction_expired'));
      }
      reply.header('set-cookie', `${stateCookie}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0`);
      const sso = await kit.sessions.ssoSession(req, reply);
      const proven = sso?.amr.includes('otp') && o.clock.now() - sso.loginAt <= freshMs;
      if (!sso || !proven) return kit.page(reply, 403, messagePage('console.title', 'console.code_needed'));
      try {
        await o.admin({ kind: 'account', accountId: sso.accountId }).roles.mine();
      } catch (err) {
        if (kit.isForbidden(err)) return kit.page(reply, 403, messagePage('console.title', 'console.no_role'));
        throw err;
      }
      kit.sessions.start(reply, { accountId: sso.accountId, uid: sso.uid, loginAt: sso.loginAt });
      return reply.redirect('/console', 303);
    },
  );

  app.post<{ Body: { csrf?: string } }>('/console/logout', async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    kit.sessions.end(reply);
    return kit.page(reply, 200, messagePage('console.title', 'console.signed_out'));
  });
}
