// POST /backchannel-logout: OpenID Connect Back-Channel Logout 1.0. Tessera calls this directly (no browser) when a
// person signs out anywhere; every local session of that Tessera session ends. 200 when done, 400 for a bad token.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../context.ts';
import { LogoutTokenError, verifyLogoutToken } from '../logout-token.ts';

// §2.8: the answer is never cached, and errors use the OAuth error JSON.
const reject = (reply: FastifyReply, description: string) =>
  reply
    .code(400)
    .header('cache-control', 'no-store')
    .send({ error: 'invalid_request', error_description: description });

export function backchannelLogoutRoute(app: FastifyInstance, ctx: Context): void {
  app.post(
    '/backchannel-logout',
    {
      schema: {
        body: {
          type: 'object',
          required: ['logout_token'],
          properties: { logout_token: { type: 'string', minLength: 1 } },
        },
      },
      errorHandler(error: FastifyError, request, reply) {
        if (error instanceof LogoutTokenError)
          return reject(
            reply,
            error.code === 'logout_token.replayed' ? 'logout_token replayed' : 'invalid logout_token',
          );
        if (error.validation) return reject(reply, 'logout_token missing');
        request.log.error({ err: error }, 'back-channel logout failed');
        return reply.code(500).header('cache-control', 'no-store').send({ error: 'server_error' });
      },
    },
    async (request, reply) => {
      const { logout_token } = request.body as { logout_token: string };
      const { config, keys } = await ctx.discover();
      const logout = await verifyLogoutToken(logout_token, {
        issuer: config.serverMetadata().issuer,
        clientId: ctx.clientId,
        keys,
        ...ctx.logoutToken,
      });
      if (logout.jti !== undefined && !ctx.store.rememberLogoutToken(logout.jti, logout.expiresAt)) {
        throw new LogoutTokenError('logout_token.replayed', 'jti seen before');
      }
      const ended = ctx.store.deleteBy(logout);
      request.log.info({ sid: logout.sid, sub: logout.sub, ended }, 'back-channel logout');
      return reply.code(200).header('cache-control', 'no-store').send();
    },
  );
}
