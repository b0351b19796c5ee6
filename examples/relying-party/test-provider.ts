// For the tests only: a real oidc-provider 9 configured as Tessera configures it for the demo apps (first-party
// clients without a consent screen, PKCE, back-channel and RP-initiated logout, ES256), with its dev sign-in page.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface TestProvider {
  issuer: string;
  /** The private signing key, so a test can also sign a logout token the apps must accept. */
  signingKey: JWK;
  /** Starts answering as Tessera, with these clients; before that the issuer answers 503 (Tessera still starting). */
  start(clients: Configuration['clients']): void;
  close(): Promise<void>;
}

export async function listenTestProvider(): Promise<TestProvider> {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.writeHead(503).end();
  const server: Server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-es256', alg: 'ES256', use: 'sig' };

  return {
    issuer,
    signingKey,
    start(clients) {
      const provider = createProvider(issuer, signingKey, clients);
      provider.on('backchannel.error', (_ctx, err, client) =>
        console.error(`back-channel logout to ${client.clientId} failed`, err),
      );
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// oidc-provider 9 refuses outgoing requests to loopback addresses (SSRF defence), back-channel logout included.
// The demo apps run on localhost by design, so exactly their back-channel logout URIs skip that check.
function fetchAllowingDemoApps(clients: NonNullable<Configuration['clients']>): NonNullable<Configuration['fetch']> {
  const allowed = new Set(
    clients.map((c) => c.backchannel_logout_uri).filter((u): u is string => typeof u === 'string'),
  );
  return (url, options) => {
    if (!allowed.has(String(url))) return fetch(url, options);
    const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & { dispatcher?: unknown };
    return fetch(url, rest);
  };
}

function createProvider(issuer: string, signingKey: JWK, clients: Configuration['clients']): Provider {
  return new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey as never] },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The dev sign-in page accepts any login; the login doubles as the e-mail address.
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, email: sub, email_verified: true }) };
    },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    pkce: { required: () => true },
    fetch: fetchAllowingDemoApps(clients ?? []),
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    // As Tessera does for first-party apps: no consent screen, so prompt=none at the second app succeeds.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!ctx.oidc.session!.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
}
