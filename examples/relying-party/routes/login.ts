// GET /login and GET /signup: send the browser to Tessera with an authorization code request (PKCE S256, state, nonce).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { Context } from '../context.ts';
import { pendingCookieMaxAgeSeconds } from '../context.ts';
import { defaults } from '../options.ts';

/** `none` is the silent SSO check; `create` asks Tessera for its sign-up page (OpenID Connect Prompt Create 1.0). */
export type Prompt = 'none' | 'create';

export async function redirectToTessera(
  ctx: Context,
  reply: FastifyReply,
  prompt?: Prompt,
  uiLocales?: string,
): Promise<FastifyReply> {
  const { config } = await ctx.discover();
  const codeVerifier = client.randomPKCECodeVerifier();
  const pending = ctx.store.createPending({
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier,
    silent: prompt === 'none',
  });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${ctx.baseUrl()}/callback`,
    scope: defaults.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
    ...(prompt ? { prompt } : {}),
    // OpenID Connect Core §3.1.2.1: the languages the shop's visitor reads, best first; Tessera's pages follow.
    ...(uiLocales ? { ui_locales: uiLocales } : {}),
  });
  // The cookie binds the answer to this browser: a callback carrying someone else's state finds nothing here.
  reply.setCookie(ctx.cookies.pending, pending.id, { ...ctx.cookieOptions, maxAge: pendingCookieMaxAgeSeconds });
  return reply.header('cache-control', 'no-store').redirect(url.href, 303);
}

export function loginRoutes(app: FastifyInstance, ctx: Context): void {
  // `?lang=ro`: the shop's own language choice, passed on as ui_locales.
  const lang = (request: FastifyRequest) => {
    const value = (request.query as { lang?: unknown } | undefined)?.lang;
    return typeof value === 'string' && /^[a-z]{2,3}(-[A-Z]{2})?$/.test(value) ? value : undefined;
  };
  app.get('/login', (request, reply) => redirectToTessera(ctx, reply, undefined, lang(request)));
  app.get('/signup', (request, reply) => redirectToTessera(ctx, reply, 'create', lang(request)));
}
