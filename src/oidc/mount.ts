// oidc-provider is a Koa application: its endpoints live under /oidc and discovery at the issuer's root,
// and Fastify hands those requests over untouched (body unread, so the provider parses it itself).
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

export async function mountProvider(app: FastifyInstance, provider: Provider): Promise<void> {
  const callback = provider.callback();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const handler = (req: { raw: import('node:http').IncomingMessage }, reply: { hijack(): void; raw: import('node:http').ServerResponse }) => {
      reply.hijack();
      callback(req.raw, reply.raw);
    };
    scope.all('/oidc/*', handler);
    scope.all('/.well-known/openid-configuration', handler);
  });
}
