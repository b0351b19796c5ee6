// A small, real OpenID Connect relying party on openid-client: the demo shop and the demo forum are two
// configurations of it. Sign in once at Tessera, be signed in at both; log out at one, be logged out at both.
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { AddressInfo } from 'node:net';
import { cookieNames, cookieOptionsFor, type Context } from './context.ts';
import { DemoError } from './errors.ts';
import { lazyIssuer } from './issuer.ts';
import { defaults, type DemoApp, type DemoAppOptions } from './options.ts';
import { errorPage } from './pages.ts';
import { createMemoryStore } from './sessions.ts';
import { backchannelLogoutRoute } from './routes/backchannel-logout.ts';
import { callbackRoute } from './routes/callback.ts';
import { homeRoute } from './routes/home.ts';
import { loginRoutes } from './routes/login.ts';
import { logoutRoute } from './routes/logout.ts';

export type { DemoApp, DemoAppOptions, Theme } from './options.ts';
export { cookieNames } from './context.ts';

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const app = Fastify({ logger: { level: process.env.DEMO_LOG_LEVEL ?? 'warn' } });
  await app.register(cookie);
  await app.register(formbody);

  let baseUrl = options.publicUrl?.replace(/\/$/, '');
  const ctx: Context = {
    look: { name: options.name, theme: options.theme ?? defaults.theme },
    issuer: options.issuer,
    clientId: options.clientId,
    store: createMemoryStore(defaults),
    discover: lazyIssuer({ ...options, retryDelaysMs: defaults.discoveryRetryDelaysMs }),
    baseUrl: () => baseUrl!,
    cookies: cookieNames(options.clientId),
    cookieOptions: cookieOptionsFor(new URL(baseUrl ?? 'http://localhost')),
    logoutToken: {
      clockToleranceSeconds: defaults.logoutTokenClockToleranceSeconds,
      maxAgeSeconds: defaults.logoutTokenMaxAgeSeconds,
    },
  };

  // Typed errors become a page here, once; anything else is a bug and gets a plain 500 (and a log line).
  app.setErrorHandler((error, request, reply) => {
    const shown =
      error instanceof DemoError
        ? error
        : (error as { validation?: unknown }).validation
          ? new DemoError('request.invalid', 400)
          : new DemoError('error.unexpected', 500);
    const status = shown.statusCode;
    // An unknown error is a bug (error); a known one, like Tessera still starting, is an expected condition (warn).
    if (status >= 500) request.log[error instanceof DemoError ? 'warn' : 'error']({ err: error }, 'request failed');
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(errorPage(ctx.look, shown));
  });

  homeRoute(app, ctx);
  loginRoutes(app, ctx);
  callbackRoute(app, ctx);
  logoutRoute(app, ctx);
  backchannelLogoutRoute(app, ctx);

  await app.listen({ port: options.port, host: options.host ?? defaults.host });
  const { port } = app.server.address() as AddressInfo;
  baseUrl ??= `http://localhost:${port}`;
  return { url: baseUrl, close: () => app.close() };
}
