export {
  createProvider,
  scopes,
  apiScopes,
  apiResource,
  type ProviderOptions,
  type ProviderPages,
} from './provider.ts';
export { createAdapterFactory, purgeExpired, endAccountSessions, findGrantId } from './adapter.ts';
export { createSessionManager, type SessionManager, type SessionView, type AppGrantView } from './sessions.ts';
export { loadSigningKeys, rotateSigningKeys, loadNamedSecret, publicJwks, SigningKeyError } from './keys.ts';
export { createLiveProvider, type LiveProvider } from './live-provider.ts';
export { createSqlOidcStore } from './sql/oidc-store.ts';
export { createSqlClientStore } from './sql/client-store.ts';
export { createSqlSecretStore } from './sql/secret-store.ts';
export type {
  OidcStore,
  PayloadStore,
  StoredPayload,
  SessionDetail,
  SessionDetailStore,
  ClientStore,
  SecretStore,
  StoredSecret,
} from './store.ts';
export {
  createClientRegistry,
  clientInputSchema,
  refreshTokenModes,
  ClientError,
  type ClientInput,
  type ClientRegistry,
} from './clients.ts';
export { registerInteractions, type InteractionOptions } from './interactions/index.ts';
export { mountProvider, providerRoutes, type SignOutHook } from './mount.ts';
