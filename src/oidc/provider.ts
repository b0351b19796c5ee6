// The OpenID Connect provider: node-oidc-provider (certified) with Tessera's storage, accounts and pages.
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import { providerRoutes } from './mount.ts';
import { createCookieSigner } from './cookie-signer.ts';
import { refreshTokenModes } from './clients.ts';
import type { Account } from '../identity/index.ts';
import type { Clock } from '../clock/index.ts';
import { acr, sessionTtlSeconds } from '../signin/index.ts';

export interface ProviderOptions {
  issuer: string;
  adapter: NonNullable<Configuration['adapter']>;
  signingKeys: JWK[];
  cookieKeys: string[];
  findAccount(id: string): Promise<Account | undefined>;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  /** NIST SP 800-63B §2.2.3: a session ends this long after its sign-in, however much it is used. */
  sessionSeconds: number;
  /** … and this long after its last use. */
  sessionIdleSeconds: number;
  secureCookies: boolean;
  allowPrivateNetworkCallbacks: boolean;
  /** The sessions' limits are counted on this clock (oidc-provider keeps its own for the rest). */
  clock: Clock;
  /** Whether this person still owes this app a one-time code (the sign-in flow decides, from the policy). */
  needsSecondFactor(
    clientId: string,
    accountId: string,
    amr: readonly string[],
    requestedMfa: boolean,
  ): Promise<boolean>;
  /** The person's grant for an app, whichever session made it: consent is given once per person and app. */
  findGrantId(accountId: string, clientId: string): Promise<string | undefined>;
  /** The pages oidc-provider shows itself, as whole documents (src/web/pages renders them). */
  pages: ProviderPages;
}

export interface ProviderPages {
  /** "Sign out?", around oidc-provider's own hidden logout form (`form`, whose id is op.logoutForm). */
  logout(form: string): string;
  loggedOut(): string;
  /** An error oidc-provider cannot send back to the app. */
  error(out: { error: string; error_description?: string }): string;
}

type ProviderFetch = NonNullable<Configuration['fetch']>;
// oidc-provider's default fetch carries a dispatcher that refuses special-use addresses; dropping it allows them.
const fetchAllowingPrivateNetworks: ProviderFetch = (url, options) => {
  const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & { dispatcher?: unknown };
  return fetch(url, rest);
};

export const scopes = ['openid', 'email', 'profile', 'groups', 'offline_access'] as const;
/** Scopes a service may ask for on Tessera's own API (e.g. the OTP validate API). */
export const apiScopes = ['otp:validate'] as const;
export const apiResource = (issuer: string) => `${issuer}/api`;

// `prompt=create` (OpenID Connect Prompt Create 1.0) sends people straight to sign-up. A sign-in finishes its second
// factor before the login (src/signin), so the `otp` prompt is the step-up: a session signed in at an app that asked
// for no code meets one that does (its policy, or `acr_values`); one code per SSO session, unless `max_age` or a new
// password sign-in starts over.
function interactions(needsSecondFactor: ProviderOptions['needsSecondFactor']) {
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);
  const otp = new interactionPolicy.Prompt(
    { name: 'otp', requestable: false },
    new interactionPolicy.Check('second_factor', 'a one-time code is required', async (ctx) => {
      const { session, client, result, params } = ctx.oidc;
      if (!session?.accountId || !client || result?.otp) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const requested = String(params?.acr_values ?? '')
        .split(' ')
        .includes(acr.mfa);
      const owed = await needsSecondFactor(
        client.clientId,
        session.accountId,
        (session.amr as string[] | undefined) ?? [],
        requested,
      );
      return owed ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  policy.add(
    otp,
    policy.findIndex((p) => p.name === 'consent'),
  );
  return policy;
}

// OIDC Core §5.3.2: a claim without a value is left out, never sent as null or "" (relying parties such as
// mod_auth_openidc warn on every request otherwise); an empty list of groups is no value either.
function withValues(claims: Record<string, unknown>): { sub: string } & Record<string, unknown> {
  const kept = Object.entries(claims).filter(
    ([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0),
  );
  return Object.fromEntries(kept) as { sub: string } & Record<string, unknown>;
}

type Grant = InstanceType<Provider['Grant']>;

// One grant per person and app, found whichever SSO session made it: a third-party app asks for consent once, and
// again only for a scope the grant lacks (the consent prompt's checks; prompt=none then gets consent_required) or
// after "Remove access" deleted it. The company's own apps (first_party) need no consent screen: their grant
// records the scopes they asked for, and grows when they ask for more.
async function loadExistingGrant(
  ctx: KoaContextWithOIDC,
  findGrantId: ProviderOptions['findGrantId'],
): Promise<Grant | undefined> {
  const { provider, client, session, result } = ctx.oidc;
  const { accountId } = session!;
  const { clientId } = client!;
  // The consent just given in this interaction: exactly that grant.
  if (result?.consent?.grantId) return provider.Grant.find(result.consent.grantId);
  const inSession = session!.grantIdFor(clientId);
  let grant = inSession ? await provider.Grant.find(inSession) : undefined;
  let changed = false;
  if (!grant && accountId) {
    const id = await findGrantId(accountId, clientId);
    grant = id ? await provider.Grant.find(id) : undefined;
    // Used in a new session: the consent is remembered for the grant's lifetime (ttl.Grant) after its last use.
    if (grant) {
      grant.exp = undefined;
      changed = true;
    }
  }
  if (client!.metadata().first_party === true && accountId) {
    if (!grant) {
      grant = new provider.Grant({ clientId, accountId });
      changed = true;
    }
    // Requested and known to Tessera (requestParamOIDCScopes), and allowed to this client (checked before).
    const granted = new Set(grant.getOIDCScope().split(' '));
    const missing = [...ctx.oidc.requestParamOIDCScopes].filter((s) => !granted.has(s));
    if (missing.length) {
      grant.addOIDCScope(missing.join(' '));
      changed = true;
    }
  }
  if (grant && changed) await grant.save();
  // The grant is shared by the person's sessions, so logging out must not revoke it and its tokens (oidc-provider
  // does unless persistsLogout): the session ends, the tokens bound to it die with it (expiresWithSession), the
  // consent and the tokens of the person's other sessions stay. Offline tokens outlive a logout anyway.
  if (grant) {
    session!.ensureClientContainer(clientId);
    session!.authorizationFor(clientId).persistsLogout = true;
  }
  return grant;
}

// OIDC Core §11: oidc-provider keeps offline_access only in a request with prompt=consent. The company's own apps
// have no consent page, so for them that prompt is answered by the grant loadExistingGrant keeps.
function firstPartyWithoutConsentPage(policy: ReturnType<typeof interactionPolicy.base>) {
  const consent = policy.get('consent')!;
  const asked = consent.checks.get('consent_prompt')!;
  const check = asked.check;
  asked.check = (ctx) =>
    ctx.oidc.client?.metadata().first_party === true ? interactionPolicy.Check.NO_NEED_TO_PROMPT : check(ctx);
  return policy;
}

// The oidc-provider features Tessera turns on, and the pages of the ones that show a page.
function features(o: ProviderOptions): NonNullable<Configuration['features']> {
  return {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    backchannelLogout: { enabled: true },
    // Service tokens (client credentials) are JWTs for Tessera's own API, so APIs verify them offline;
    // tokens from a person's sign-in stay opaque and are checked at userinfo or introspection.
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, _client, oneOf) =>
        oneOf ?? (ctx.oidc.params?.grant_type === 'client_credentials' ? apiResource(o.issuer) : undefined),
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource !== apiResource(o.issuer)) throw new errors.InvalidTarget();
        return {
          scope: apiScopes.join(' '),
          audience: resource,
          accessTokenTTL: o.accessTokenSeconds,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = o.pages.logout(form);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = o.pages.loggedOut();
      },
    },
  };
}

export function createProvider(o: ProviderOptions): Provider {
  const provider = new Provider(o.issuer, {
    routes: providerRoutes,
    ...(o.allowPrivateNetworkCallbacks ? { fetch: fetchAllowingPrivateNetworks } : {}),
    adapter: o.adapter,
    jwks: { keys: o.signingKeys as never[] },
    cookies: {
      keys: createCookieSigner(o.cookieKeys) as never,
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: o.secureCookies },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: o.secureCookies },
    },
    // acr and amr (RFC 8176) say how the person signed in: password, or password and one-time code.
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: [...scopes],
    async findAccount(_ctx, sub) {
      const account = await o.findAccount(sub);
      if (account?.status !== 'active' || (account.kind === 'customer' && !account.emailVerified)) return undefined;
      return {
        accountId: account.id,
        claims: async () =>
          withValues({
            sub: account.id,
            ...(account.email ? { email: account.email, email_verified: account.emailVerified } : {}),
            name: account.name,
            ...(account.kind === 'workforce' ? { preferred_username: account.username, groups: account.groups } : {}),
          }),
      };
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: 'ES256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    extraClientMetadata: {
      properties: ['first_party', 'refresh_tokens'],
      validator(_ctx, key, value) {
        if (key === 'first_party' && value !== undefined && typeof value !== 'boolean')
          throw new Error('first_party must be a boolean');
        if (
          key === 'refresh_tokens' &&
          value !== undefined &&
          !(refreshTokenModes as readonly unknown[]).includes(value)
        )
          throw new Error(`refresh_tokens must be one of ${refreshTokenModes.join(', ')}`);
      },
    },
    responseTypes: ['code'],
    // ID tokens carry the granted claims (email, name), so an app needs no userinfo call to greet the person.
    conformIdTokenClaims: false,
    discovery: { prompt_values_supported: ['none', 'login', 'consent', 'create'] },
    acrValues: [acr.password, acr.mfa],
    // ASVS V10.4.6: PKCE for every authorization code, confidential clients included.
    pkce: { required: () => true },
    features: features(o),
    // A refresh token only when the app asked for one (offline_access, which oidc-provider keeps only with
    // prompt=consent, OIDC Core §11) or is registered to always get one, so a stolen browser session yields no
    // long-lived token by default. Without offline_access it ends with the SSO session (expiresWithSession).
    // Rotated at each use (ASVS V10.4.5).
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || client.metadata().refresh_tokens === 'always'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: o.accessTokenSeconds,
      ClientCredentials: o.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: o.refreshTokenSeconds,
      // Saved at every use: the row (and the cookie) then lives for the idle limit, never past the absolute one
      // counted from the sign-in (T27), so a session kept busy with prompt=none still ends.
      Session: (_ctx, session) =>
        sessionTtlSeconds(session.loginTs, o.sessionSeconds, o.sessionIdleSeconds, o.clock.now()),
      RefreshToken: o.refreshTokenSeconds,
    },
    interactions: {
      policy: firstPartyWithoutConsentPage(interactions(o.needsSecondFactor)),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    loadExistingGrant: (ctx: KoaContextWithOIDC) => loadExistingGrant(ctx, o.findGrantId),
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = o.pages.error(out);
    },
  });
  return provider;
}
