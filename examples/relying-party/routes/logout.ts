// POST /logout: RP-initiated logout. The local session ends here; Tessera then ends its own session and tells the
// other apps through back-channel logout, before sending the browser back to this app's start page.
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import type { Context } from '../context.ts';
import { DemoError } from '../errors.ts';

export function logoutRoute(app: FastifyInstance, ctx: Context): void {
  app.post(
    '/logout',
    {
      schema: { body: { type: 'object', properties: { csrf: { type: 'string' } } } },
    },
    async (request, reply) => {
      const session = ctx.store.getSession(request.cookies[ctx.cookies.session]);
      if (!session) return reply.redirect('/', 303);
      if ((request.body as { csrf?: string } | undefined)?.csrf !== session.csrf)
        throw new DemoError('logout.csrf', 403);
      ctx.store.deleteSession(session.id);
      reply.clearCookie(ctx.cookies.session, ctx.cookieOptions);
      const { config } = await ctx.discover();
      const endSession = client.buildEndSessionUrl(config, {
        id_token_hint: session.idToken,
        post_logout_redirect_uri: `${ctx.baseUrl()}/`,
      });
      return reply.redirect(endSession.href, 303);
    },
  );
}
