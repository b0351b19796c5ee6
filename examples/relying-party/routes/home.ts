// GET /: the start page. Without a local session, the first visit asks Tessera once, silently, whether the person is
// already signed in there (prompt=none): that is what makes the forum open signed in after signing in at the shop.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { DemoError } from '../errors.ts';
import { signedInPage, signedOutPage } from '../pages.ts';
import { redirectToTessera } from './login.ts';

export function homeRoute(app: FastifyInstance, ctx: Context): void {
  app.get('/', async (request, reply) => {
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    const session = ctx.store.getSession(request.cookies[ctx.cookies.session]);
    if (session) return signedInPage(ctx.look, session);

    if (request.cookies[ctx.cookies.ssoChecked] === undefined && (await tesseraReachable(ctx, request))) {
      // Set before leaving, so a check that comes back signed out cannot start another one (no redirect loop).
      reply.setCookie(ctx.cookies.ssoChecked, '1', ctx.cookieOptions);
      return redirectToTessera(ctx, reply, 'none');
    }
    return signedOutPage(ctx.look);
  });
}

// Tessera still starting: the check is a convenience, so the signed-out page is shown and the check waits for the next visit.
async function tesseraReachable(ctx: Context, request: FastifyRequest): Promise<boolean> {
  try {
    await ctx.discover();
    return true;
  } catch (err) {
    if (!(err instanceof DemoError && err.code === 'issuer.unreachable')) throw err;
    request.log.warn({ err }, 'silent SSO check postponed, Tessera unreachable');
    return false;
  }
}
