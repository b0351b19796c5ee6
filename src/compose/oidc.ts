// OpenID Connect: the registered apps, the provider, and the sessions it keeps (with back-channel logout).
import {
  createAdapterFactory,
  createClientRegistry,
  createProvider,
  createSessionManager,
  createSqlClientStore,
  findGrantId,
} from '../oidc/index.ts';
import { accountClientId, consoleClientId, providerPages } from '../web/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { SignInParts } from './signin.ts';

export async function composeOidc(f: Foundation, identity: Identity, { signIn }: SignInParts) {
  const { config, store, clock, logger, metrics } = f;
  const clients = createClientRegistry(createSqlClientStore(store.db), f.sealer, clock);
  const provider = createProvider({
    issuer: config.issuer,
    adapter: createAdapterFactory(f.oidcStore, clock, clients) as never,
    signingKeys: f.secrets.signingKeys,
    cookieKeys: [f.secrets.cookieKey.toString('base64url')],
    findAccount: (id) => identity.accounts.findAccount(id),
    accessTokenSeconds: config.tokens.accessTokenSeconds,
    refreshTokenSeconds: config.tokens.refreshTokenSeconds,
    sessionSeconds: config.sessions.absoluteSeconds,
    sessionIdleSeconds: config.sessions.idleSeconds,
    clock,
    secureCookies: f.secureCookies,
    allowPrivateNetworkCallbacks: config.oidc.allowPrivateNetworkCallbacks || config.demo,
    needsSecondFactor: (clientId, accountId, amr, requestedMfa) =>
      signIn.needsSecondFactor(clientId, accountId, amr, requestedMfa),
    findGrantId: (accountId, clientId) => findGrantId(f.oidcStore, clock, accountId, clientId),
    pages: providerPages,
  });
  provider.on('grant.success', (ctx) =>
    metrics.tokens.inc({ grant_type: String(ctx.oidc.params?.grant_type ?? 'unknown') }),
  );
  const sessions = createSessionManager(provider, f.oidcStore, clock, (err) =>
    logger.warn({ err: (err as Error).message }, 'back-channel logout failed'),
  );
  provider.on('authorization.success', (ctx) => {
    sessions.touch(ctx).catch((err) => logger.warn({ err }, 'session details not saved'));
  });
  // The account site signs in as a first-party app of this Tessera; its redirect follows the configured issuer.
  if (!(await clients.find(accountClientId))) {
    await clients
      .add({
        client_id: accountClientId,
        client_name: 'Your account',
        public: true,
        first_party: true,
        redirect_uris: [f.link('account/callback')],
      })
      .catch((err) => {
        if ((err as { code?: string }).code !== 'client.exists') throw err;
      });
  }
  // The IT support console signs in the same way, as its own app (it always asks for the one-time code).
  if (!(await clients.find(consoleClientId))) {
    await clients
      .add({
        client_id: consoleClientId,
        client_name: 'IT support console',
        public: true,
        first_party: true,
        redirect_uris: [f.link('console/callback')],
      })
      .catch((err) => {
        if ((err as { code?: string }).code !== 'client.exists') throw err;
      });
  }
  provider.on('server_error', (_ctx, err) => logger.error({ err }, 'oidc provider error'));
  return { clients, provider, sessions };
}

export type Oidc = Awaited<ReturnType<typeof composeOidc>>;
