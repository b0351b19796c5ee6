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
  type BrowserSession,
  type DirectoryDetails,
  type SsoPorts,
  type StandInClients,
} from '../saml/index.ts';
import { sessionTtlSeconds } from '../signin/index.ts';
import { publishing } from '../cluster/index.ts';
import type { Account, WorkforceService } from '../identity/index.ts';
import type { SignInParts } from './signin.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Oidc } from './oidc.ts';

/** The SAML parts, their routes registered on `app`. */
export async function composeSaml(
  f: Foundation,
  app: FastifyInstance,
  {
    identity,
    oidc,
    signIn: { signIn },
    workforce,
  }: { identity: Identity; oidc: Oidc; signIn: SignInParts; workforce: WorkforceService | undefined },
) {
  const { config, clock } = f;
  const store = createSqlSamlStore(f.store.db);
  const spRegistry = createServiceProviders(store, clock, standInClients(f), f.backstopMs);
  const keyRing = createKeyRing(store, f.sealer, clock, new URL(config.issuer).hostname, f.backstopMs);
  f.feed.on('saml-apps', spRegistry.forget);
  f.feed.on('saml-keys', keyRing.forget);
  // An app comes with its stand-in OIDC client: both caches hear of it.
  const providers = publishing(f.feed, spRegistry, ['add', 'remove'], 'saml-apps', 'oidc-clients');
  const keys = publishing(f.feed, keyRing, ['rotate'], 'saml-keys');
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
    directoryDetails: directoryDetails(f, workforce),
    needsSecondFactor: (appId, accountId, amr, requestedMfa) =>
      signIn.needsSecondFactor(appId, accountId, amr, requestedMfa),
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
  const browserSession = sessionReader(f, provider);
  registerSamlRoutes(app, { sso, slo, browserSession, keys, issuer: config.issuer });
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

/**
 * A workforce person's given name, surname and employee ID, read from the directory by stable id when an assertion
 * asks for them. A directory that does not answer costs the app those attributes, not the person their sign-in.
 */
function directoryDetails(f: Foundation, workforce: WorkforceService | undefined) {
  return async (account: Account): Promise<DirectoryDetails | null> => {
    if (!workforce) return null;
    try {
      const person = await workforce.personOf(account);
      return person && { givenName: person.givenName, surname: person.surname, employeeId: person.employeeId };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!code?.startsWith('directory.')) throw err;
      f.logger.warn(
        { code, accountId: account.id },
        'SAML assertion without given name, surname and employee ID: the directory did not answer',
      );
      return null;
    }
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

/**
 * The browser's SSO session, read from oidc-provider's session cookie. Using it counts as a use, as a sign-in at an
 * OIDC app does: saved with a new idle deadline (never past the absolute one), its cookie following.
 */
function sessionReader(f: Foundation, provider: Oidc['provider']) {
  const { absoluteSeconds, idleSeconds } = f.config.sessions;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<BrowserSession | undefined> => {
    const ctx = provider.createContext(req.raw, reply.raw);
    const session = await provider.Session.get(ctx as never);
    if (!session.accountId) return undefined;
    return {
      uid: session.uid,
      accountId: session.accountId,
      amr: (session.amr as string[] | undefined) ?? [],
      loginTs: session.loginTs ?? 0,
      apps: Object.keys(session.authorizations ?? {}),
      async touch() {
        await session.save(sessionTtlSeconds(session.loginTs, absoluteSeconds, idleSeconds, f.clock.now()));
        ctx.cookies.set(provider.cookieName('session'), session.jti, {
          signed: true,
          httpOnly: true,
          sameSite: 'lax',
          secure: f.secureCookies,
          path: '/',
          expires: new Date((session.exp ?? 0) * 1000),
          overwrite: true,
        });
      },
    };
  };
}

export type Saml = Awaited<ReturnType<typeof composeSaml>>;
