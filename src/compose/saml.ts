// SAML 2.0: the apps from their metadata, the IdP's keys, Web SSO over the OIDC sign-in, and its routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSqlClientStore, createSqlSecretStore, loadNamedSecret } from '../oidc/index.ts';
import {
  createIdpEntities,
  createKeyRing,
  createSlo,
  createServiceProviders,
  createSqlSamlStore,
  createSso,
  registerSamlRoutes,
  resumePath,
  type SsoPorts,
  type StandInClients,
} from '../saml/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Oidc } from './oidc.ts';

export async function composeSaml(f: Foundation, identity: Identity, oidc: Oidc) {
  const { config, clock } = f;
  const store = createSqlSamlStore(f.store.db);
  const providers = createServiceProviders(store, clock, standInClients(f));
  const keys = createKeyRing(store, f.sealer, clock, new URL(config.issuer).hostname);
  const entityId = `${config.issuer}/saml/metadata`;
  const current = (await keys.load()).current;
  const pairwiseKey = await loadNamedSecret(createSqlSecretStore(f.store.db), f.sealer, clock, 'saml-pairwise-key');
  const { provider } = oidc;
  const sso = createSso({
    store,
    providers,
    keys,
    clock,
    idp: createIdpEntities({
      entityId,
      issuer: config.issuer,
      certificatePem: current.certificatePem,
      schemaCheck: config.saml.schemaCheck,
    }),
    redeemCode: codeRedeemer(oidc.provider),
    findAccount: (id) => identity.accounts.findAccount(id),
    pairwiseKey,
    issuer: config.issuer,
    limits: { maxXmlBytes: config.saml.maxMessageBytes },
    requestTtlSeconds: config.saml.requestTtlSeconds,
    assertionSeconds: config.saml.assertionSeconds,
  });
  const slo = createSlo({
    store,
    providers,
    keys,
    clock,
    idp: sso.idp,
    async endSession(accountId, sessionUid) {
      await oidc.sessions.end(accountId, sessionUid);
    },
    idpEntityId: entityId,
    limits: { maxXmlBytes: config.saml.maxMessageBytes },
    logoutTtlSeconds: config.saml.requestTtlSeconds,
  });
  // The browser's SSO session, read from oidc-provider's session cookie (nothing is saved).
  const browserSession = async (req: FastifyRequest, reply: FastifyReply) => {
    const session = await provider.Session.get(provider.createContext(req.raw, reply.raw) as never);
    return session.accountId ? { uid: session.uid, accountId: session.accountId } : undefined;
  };
  const purge = () =>
    Promise.all([
      sso.purge(),
      slo.purge(),
      // No session outlives its absolute limit: a participation older than that is of a session already gone.
      store.purgeParticipants(clock.now() - config.sessions.absoluteSeconds * 1000),
    ]);
  return {
    providers,
    keys,
    sso,
    slo,
    purge,
    register: (app: FastifyInstance) =>
      registerSamlRoutes(app, { sso, slo, browserSession, keys, issuer: config.issuer }),
  };
}

/** Each SAML app has a public, first-party OIDC client of its own whose only redirect is Tessera's resume page. */
function standInClients(f: Foundation): StandInClients {
  const clientStore = createSqlClientStore(f.store.db);
  return {
    async register(clientId, name) {
      const metadata = {
        client_id: clientId,
        client_name: name,
        redirect_uris: [`${f.config.issuer}${resumePath}`],
        post_logout_redirect_uris: [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'ES256',
        first_party: true,
        refresh_tokens: 'offline_access',
      };
      await clientStore.insert(clientId, JSON.stringify(metadata), f.clock.now());
    },
    async remove(clientId) {
      await clientStore.remove(clientId);
    },
  };
}

/** Spends an authorization code of the provider once, and says what its sign-in proved. */
function codeRedeemer(provider: Oidc['provider']): SsoPorts['redeemCode'] {
  return async (code) => {
    const found = await provider.AuthorizationCode.find(code);
    if (!found || (found as { consumed?: unknown }).consumed || !found.accountId || !found.sessionUid) {
      return undefined;
    }
    await found.consume();
    return {
      clientId: String(found.clientId),
      accountId: found.accountId,
      amr: (found.amr as string[] | undefined) ?? [],
      authTimeSeconds: Number(found.authTime ?? 0),
      sessionUid: found.sessionUid,
      codeChallenge: String(found.codeChallenge ?? ''),
      redirectUri: String(found.redirectUri ?? ''),
    };
  };
}

export type Saml = Awaited<ReturnType<typeof composeSaml>>;
