// OpenID Connect: the registered apps, the provider, and the sessions it keeps (with back-channel logout).
import {
  createAdapterFactory,
  createClientRegistry,
  createLiveProvider,
  createProvider,
  createSqlSecretStore,
  loadSigningKeys,
  createSessionManager,
  createSqlClientStore,
  findGrantId,
  type ProviderOptions,
} from '../oidc/index.ts';
import { publishing } from '../cluster/index.ts';
import type { JWK } from 'jose';
import { accountClientId, consoleClientId, providerPages } from '../web/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { SignInParts } from './signin.ts';

export async function composeOidc(f: Foundation, identity: Identity, { signIn }: SignInParts) {
  const { config, store, clock, logger, metrics } = f;
  const registry = createClientRegistry(createSqlClientStore(store.db), f.sealer, clock, f.backstopMs);
  f.feed.on('oidc-clients', registry.forget);
  const clients = publishing(f.feed, registry, ['add', 'remove'], 'oidc-clients');
  const options: Omit<ProviderOptions, 'signingKeys'> = {
    issuer: config.issuer,
    adapter: createAdapterFactory(f.oidcStore, clock, clients) as never,
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
  };
  const signingKeys = liveSigningKeys(f, f.secrets.signingKeys);
  const live = createLiveProvider(createProvider({ ...options, signingKeys: signingKeys.current() }));
  // A changed key set (a rotation on any node, or the backstop finding one) builds a Provider with it.
  f.feed.on('signing-keys', async () => {
    if (await signingKeys.reload()) live.swap(createProvider({ ...options, signingKeys: signingKeys.current() }));
  });
  const { provider } = live;
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
  return { clients, provider, sessions, signingKeys };
}

/** The signing keys this node publishes, read again when told they changed. */
function liveSigningKeys(f: Foundation, first: JWK[]) {
  const secrets = createSqlSecretStore(f.store.db);
  const idsOf = (keys: JWK[]) => keys.map((k) => `${k.kid}:${k.key_ops?.join() ?? 'sign'}`).join(' ');
  let keys = first;
  return {
    current: () => keys,
    /** True when the set changed (a key added, promoted or dropped). */
    async reload(): Promise<boolean> {
      const read = await loadSigningKeys(secrets, f.sealer, f.clock, f.config.tokens.refreshTokenSeconds * 1000);
      if (idsOf(read) === idsOf(keys)) return false;
      keys = read;
      return true;
    },
  };
}

export type Oidc = Awaited<ReturnType<typeof composeOidc>>;
