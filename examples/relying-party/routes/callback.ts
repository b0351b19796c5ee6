// GET /callback: Tessera's answer. Ordered steps: takePending → checkState → silentAnswer → exchangeCode → startSession.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { Context } from '../context.ts';
import { DemoError } from '../errors.ts';
import type { PendingLogin, ShownClaims } from '../sessions.ts';

// What a prompt=none request gets when the person has to do something first (OIDC Core §3.1.2.6): simply "not signed in".
const signedOutAnswers = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

export function callbackRoute(app: FastifyInstance, ctx: Context): void {
  app.get(
    '/callback',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string' },
            code: { type: 'string' },
            error: { type: 'string' },
            iss: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const pending = takePending(ctx, request, reply);
      const params = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1));
      checkState(pending, params);
      const error = params.get('error');
      if (error !== null) {
        if (pending.silent && signedOutAnswers.has(error)) return reply.redirect('/', 303);
        throw new DemoError('callback.denied', 400, error);
      }
      const tokens = await exchangeCode(ctx, pending, params);
      await startSession(ctx, reply, tokens);
      return reply.redirect('/', 303);
    },
  );
}

function takePending(ctx: Context, request: FastifyRequest, reply: FastifyReply): PendingLogin {
  reply.clearCookie(ctx.cookies.pending, ctx.cookieOptions);
  const pending = ctx.store.takePending(request.cookies[ctx.cookies.pending]);
  if (!pending) throw new DemoError('callback.no_pending', 400);
  return pending;
}

// openid-client checks state again; checking it first gives the person a message that says what happened (CSRF defence, RFC 6749 §10.12).
function checkState(pending: PendingLogin, params: URLSearchParams): void {
  if (params.get('state') !== pending.state) throw new DemoError('callback.state_mismatch', 400);
}

async function exchangeCode(ctx: Context, pending: PendingLogin, params: URLSearchParams) {
  const { config } = await ctx.discover();
  const redirectUri = `${ctx.baseUrl()}/callback`;
  try {
    // Validates iss (RFC 9207), the code via PKCE, and the ID token: signature, iss, aud, exp, iat and nonce.
    return await client.authorizationCodeGrant(
      config,
      new URL(`${redirectUri}?${params}`),
      {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
      { redirect_uri: redirectUri },
    );
  } catch (err) {
    throw new DemoError(
      'callback.exchange_failed',
      502,
      err instanceof client.ResponseBodyError ? err.error : undefined,
      { cause: err },
    );
  }
}

async function startSession(
  ctx: Context,
  reply: FastifyReply,
  tokens: Awaited<ReturnType<typeof exchangeCode>>,
): Promise<void> {
  const idClaims = tokens.claims()!;
  const { config } = await ctx.discover();
  // With the code flow Tessera keeps profile claims out of the ID token (oidc-provider's conformIdTokenClaims): ask userinfo.
  const email =
    typeof idClaims.email === 'string'
      ? idClaims.email
      : (await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)).email;
  const claims: ShownClaims = {
    sub: idClaims.sub,
    ...(typeof email === 'string' ? { email } : {}),
    ...(Array.isArray(idClaims.amr) ? { amr: idClaims.amr.map(String) } : {}),
    ...(typeof idClaims.acr === 'string' ? { acr: idClaims.acr } : {}),
  };
  const session = ctx.store.createSession({
    sub: idClaims.sub,
    sid: typeof idClaims.sid === 'string' ? idClaims.sid : undefined,
    claims,
    idToken: tokens.id_token!,
  });
  reply.setCookie(ctx.cookies.session, session.id, ctx.cookieOptions);
}
