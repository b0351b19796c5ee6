// GET /: the start page. Without a local session, the first visit asks Tessera once, silently, whether the person is
// already signed in there (prompt=none): that is what makes the forum open signed in after signing in at the shop.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { DemoError } from '../errors.ts';
import { signedInPage, signedOutPage } from '../pages.ts';
import { redirectToTessera } from './login.ts';

export function homeRoute(app: FastifyInstance, ctx: Context): void {
  app.get('/', async (request, reply) => {
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    const session = ctx.store.getSession(request.cookies[ctx.cookies.session]);
    if (session) return signedInPage(ctx.look, session);

    if (request.cookies[ctx.cookies.ssoChecked] === undefined) {
      // Set before leaving, so a check that comes back signed out cannot start another one (no redirect loop).
      reply.setCookie(ctx.cookies.ssoChecked, '1', ctx.cookieOptions);
      try {
        return await redirectToTessera(ctx, reply, 'none');
      } catch (err) {
        // Tessera still starting: the check is a convenience, the signed-out page is still right.
        if (!(err instanceof DemoError && err.code === 'issuer.unreachable')) throw err;
        request.log.warn({ err }, 'silent SSO check skipped, Tessera unreachable');
      }
    }
    return signedOutPage(ctx.look);
  });
}
