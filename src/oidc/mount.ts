// oidc-provider is a Koa application: its endpoints live under /oidc and discovery at the issuer's root,
// and Fastify hands those requests over untouched (body unread, so the provider parses it itself).
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';

export const providerRoutes = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/oidc/jwks',
  end_session: '/oidc/session/end',
  introspection: '/oidc/token/introspection',
  revocation: '/oidc/token/revocation',
  registration: '/oidc/reg',
  pushed_authorization_request: '/oidc/request',
  code_verification: '/oidc/device',
  device_authorization: '/oidc/device/auth',
  backchannel_authentication: '/oidc/backchannel',
} as const;

const discoveryPath = '/.well-known/openid-configuration';

/**
 * What oidc-provider may believe about a request, written by Tessera (checklist T48). Koa, with `proxy` on, takes
 * the client's address from X-Forwarded-For and builds every URL (discovery's endpoints, the logout form's action,
 * redirects) from X-Forwarded-Proto and X-Forwarded-Host, else Host. Whatever the client sent is replaced: the
 * address is the one Fastify derived with its trustProxy list (`req.ip`, also the audit log's and the limits'),
 * and the host and scheme are the configured issuer's. So one proxy list serves every layer, and no header a
 * client chooses reaches a URL or the sessions list.
 */
export function providerHeaders(headers: IncomingHttpHeaders, clientIp: string | undefined, issuer: URL): void {
  const scheme = issuer.protocol.slice(0, -1);
  headers.host = issuer.host;
  headers['x-forwarded-host'] = issuer.host;
  headers['x-forwarded-proto'] = scheme;
  if (clientIp) headers['x-forwarded-for'] = clientIp;
  else delete headers['x-forwarded-for'];
}

/** What else happens when a person signs out at the provider's end_session page. */
export interface SignOutHook {
  /**
   * The browser's session `uid` of `accountId` has just ended and the browser is sent to `location`: where to send
   * it first instead (SAML apps told through the browser, then on to `location`), or undefined.
   */
  afterSignOut(session: { uid: string; accountId: string }, location: string): Promise<string | undefined>;
}

export async function mountProvider(
  app: FastifyInstance,
  provider: Provider,
  issuer: string,
  hook?: SignOutHook,
): Promise<void> {
  const issuerUrl = new URL(issuer);
  // Every request, not only those under /oidc: the interaction and account routes hand `req.raw` to oidc-provider
  // too (interactionDetails, Session.get), so no context it makes can see a header the client wrote.
  app.addHook('onRequest', (req, _reply, done) => {
    providerHeaders(req.raw.headers, req.ip, issuerUrl);
    done();
  });
  provider.proxy = true;
  // Pages oidc-provider renders (logout confirmation, errors, form_post) may show who is signed in: never stored
  // (ASVS V8.2.1). Discovery is the same for everyone and built from the issuer only, so caches may keep it a while.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === discoveryPath && ctx.status === 200) ctx.set('cache-control', 'public, max-age=300');
    else if (ctx.response.is('html') && !ctx.response.get('cache-control')) ctx.set('cache-control', 'no-store');
  });

  if (hook) provider.use(signOutMiddleware(hook));

  const callback = provider.callback();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const handler = (
      req: { raw: import('node:http').IncomingMessage },
      reply: { hijack(): void; raw: import('node:http').ServerResponse },
    ) => {
      reply.hijack();
      callback(req.raw, reply.raw);
    };
    scope.all('/oidc/*', handler);
    scope.all(discoveryPath, handler);
  });
}

/** After end_session's confirmation ended the whole session (`logout=yes`), the hook may send the browser on. */
function signOutMiddleware(hook: SignOutHook) {
  const confirmPath = `${providerRoutes.end_session}/confirm`;
  return async (ctx: Parameters<Parameters<Provider['use']>[0]>[0], next: () => Promise<unknown>) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== confirmPath || ctx.status !== 303) return;
    const { session, params } =
      (ctx as { oidc?: { session?: { uid?: string; accountId?: string }; params?: object } }).oidc ?? {};
    const location = ctx.response.get('location');
    if (!session?.uid || !session.accountId || !(params as { logout?: unknown })?.logout || !location) return;
    const first = await hook.afterSignOut({ uid: session.uid, accountId: session.accountId }, location);
    if (first) ctx.redirect(first);
  };
}
