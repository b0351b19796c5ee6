// Signing in to the account site is an ordinary authorization request of a first-party client; the SSO session it
// leaves behind is what the account pages read, so the code itself is not needed.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { acr } from '../../signin/index.ts';
import { messagePage } from '../pages/account-pages.ts';
import { accountClientId, page, type AccountKit } from './kit.ts';

const stateCookie = 'tessera_account_state';

// `/account/reauthenticate-code` asks for the password and a code from the person's token: what adding or replacing
// a token needs when they have one (T44).
const entries = [
  ['/account/login', undefined, false],
  ['/account/signup', 'create', false],
  ['/account/reauthenticate', 'login', false],
  ['/account/reauthenticate-code', 'login', true],
] as const;

export function registerAccountSignIn(app: FastifyInstance, kit: AccountKit): void {
  const o = kit.options;
  const secure = o.secureCookies ? '; Secure' : '';

  for (const [path, prompt, withCode] of entries) {
    app.get(path, async (_req, reply) => {
      const state = randomBytes(16).toString('base64url');
      const url = new URL('/oidc/auth', o.issuer);
      url.search = new URLSearchParams({
        client_id: accountClientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${o.issuer}/account/callback`,
        state,
        code_challenge: randomBytes(32).toString('base64url'),
        code_challenge_method: 'S256',
        ...(prompt ? { prompt } : {}),
        ...(prompt === 'login' ? { max_age: '0' } : {}),
        ...(withCode ? { acr_values: acr.mfa } : {}),
      }).toString();
      const cookie = `${stateCookie}=${state}; Path=/account; HttpOnly; SameSite=Lax; Max-Age=3600${secure}`;
      reply.header('set-cookie', cookie);
      return reply.redirect(url.toString(), 303);
    });
  }

  const shortText = { type: 'string', maxLength: 100 } as const;
  app.get<{ Querystring: { state?: string; error?: string } }>(
    '/account/callback',
    {
      schema: { querystring: { type: 'object', properties: { state: shortText, error: shortText } } },
    },
    async (req, reply) => {
      const expected = /(?:^|;\s*)tessera_account_state=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (req.query.error || !expected || expected !== req.query.state) {
        return page(reply, 400, messagePage('error.title', 'web.interaction_expired'));
      }
      reply.header('set-cookie', `${stateCookie}=; Path=/account; HttpOnly; SameSite=Lax; Max-Age=0`);
      return reply.redirect('/account', 303);
    },
  );
}
