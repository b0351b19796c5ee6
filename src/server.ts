// Composes Tessera once: store → domain services → HTTP. No module-level state, so a test can start two nodes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { Config } from './config.ts';
import { openStore, createSealer, type Sealer, type Store } from './store/index.ts';
import { systemClock, cryptoRandom, type Clock } from './clock/index.ts';
import { createAudit, type Audit } from './audit/index.ts';
import { createOutbox, renderMail, sendCampaign, type CampaignInput, type Outbox } from './delivery/index.ts';
import {
  countsAsFailedSignIn, createAccountService, createPasswordHasher, createPasswordReset, createSelfService, createSqlIdentityStore, createUnsubscribeTokens, createWorkforceService, IdentityError, isBreachedPassword,
  type AccountService, type PasswordPolicy, type SelfService, type WorkforceService,
} from './identity/index.ts';
import { createDirectorySource, type DirectorySource } from './directory/index.ts';
import { createOtpService, createSqlOtpStore, type Confirmed, type OtpService } from './otp/index.ts';
import { cachedPolicyStore, createSecondFactorRule, createSqlPolicyStore, type PolicyStore } from './policy/index.ts';
import { createSignIn, createSqlSignInFlowStore } from './signin/index.ts';
import {
  apiResource, createAdapterFactory, createClientRegistry, createProvider, createSessionManager, findGrantId, loadNamedSecret, loadSigningKeys, mountProvider,
  publicJwks, purgeExpired, registerInteractions,
  type ClientRegistry, type SessionManager,
} from './oidc/index.ts';
import { registerAccountSite, accountClientId } from './web/account-site.ts';
import { registerOtpValidateApi } from './web/api/otp-validate.ts';
import { accountKey, attemptLimits, createRateLimiter, type AttemptRules } from './ratelimit/index.ts';
import { createDeviceCookies } from './web/device-cookie.ts';
import { createCaptcha } from './captcha/index.ts';
import {
  callingStation, createChallengePurge, createRadiusServer, createSqlChallengeStates, createSqlStoredClients, createSqlVpnSessions, createVpnLogin, sessionChange,
  type RadiusBound, type RadiusServer, type StoredClients, type VpnSessions,
} from './radius/index.ts';
import { t } from './web/i18n/index.ts';
import { registerResetRoutes } from './web/reset-routes.ts';
import { createMetrics, registerObservability, type Metrics } from './web/observability.ts';
import { registerAccountRoutes } from './web/account-routes.ts';
import { registerErrorHandling } from './web/errors.ts';
import { createCsrf } from './web/csrf.ts';
import { createLogger } from './web/logging.ts';
import { registerSecurityHeaders } from './web/security-headers.ts';
import { registerStylesheet } from './web/stylesheet.ts';

export interface TesseraServer {
  config: Config;
  app: FastifyInstance;
  store: Store;
  sealer: Sealer;
  provider: Provider;
  clients: ClientRegistry;
  accounts: AccountService;
  selfService: SelfService;
  sessions: SessionManager;
  /** Present when a directory is configured. */
  workforce?: WorkforceService;
  otp: OtpService;
  policies: PolicyStore;
  outbox: Outbox;
  /** Where RADIUS listens, once listen() has run (when `radius` is configured). */
  radiusAddress(): RadiusBound | undefined;
  /** VPN gateways added at run time (`tessera radius client add`), next to those in the configuration. */
  radiusClients: StoredClients;
  /** VPN sessions as the gateways report them by RADIUS accounting. */
  vpnSessions: VpnSessions;
  /** The purges every node runs every 15 minutes, run now. */
  housekeeping(): Promise<void>;
  sendCampaign(input: CampaignInput): Promise<{ recipients: number }>;
  unsubscribeLink(accountId: string): string;
  audit: Audit;
  metrics: Metrics;
  logger: Logger;
  listen(): Promise<string>;
  close(): Promise<void>;
}

// The key that seals secrets at rest: from configuration, or generated once into the data directory (laptop default).
function keyEncryptionKey(config: Config): Buffer {
  if (config.secrets.keyEncryptionKey) return Buffer.from(config.secrets.keyEncryptionKey, 'base64');
  const file = resolve(config.dataDir, 'key-encryption.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export async function createServer(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<TesseraServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const store = openStore(config.databaseUrl);
  await store.migrate();
  // Rotating the key-encryption key: the new key seals, the previous ones still open what they sealed.
  const sealer = createSealer(keyEncryptionKey(config), config.secrets.previousKeyEncryptionKeys.map((k) => Buffer.from(k, 'base64')));
  // The address of the request being served, for the audit log (T9: behind a proxy only as Fastify's trustProxy allows).
  const requestSource = new AsyncLocalStorage<{ ip: string }>();
  const audit = createAudit(store.db, clock, () => requestSource.getStore()?.ip);
  // Domain services report events about a subject; the subject is the actor unless a caller says otherwise.
  const auditAs = (fallbackActor: string) => (event: { action: string; subject: string | null; outcome: string; source?: string | null; details?: Record<string, unknown> }) =>
    audit.record({ actor: event.subject ?? fallbackActor, ...event });
  const metrics = createMetrics();
  const [signingKeys, cookieKey, csrfKey, codePepper, unsubscribeKey, captchaKey, deviceKey] = await Promise.all([
    loadSigningKeys(store.db, sealer, clock, config.tokens.refreshTokenSeconds * 1000),
    loadNamedSecret(store.db, sealer, clock, 'cookie-key'),
    loadNamedSecret(store.db, sealer, clock, 'csrf-key'),
    loadNamedSecret(store.db, sealer, clock, 'code-pepper'),
    loadNamedSecret(store.db, sealer, clock, 'unsubscribe-key'),
    loadNamedSecret(store.db, sealer, clock, 'captcha-key'),
    loadNamedSecret(store.db, sealer, clock, 'device-key'),
  ]);
  const unsubscribeTokens = createUnsubscribeTokens(unsubscribeKey);
  const csrf = createCsrf(csrfKey);

  const identityStore = createSqlIdentityStore(store.db);
  const directory: DirectorySource | undefined = config.directory ? createDirectorySource(config.directory, {
    clock,
    onServerFailed: (url, reason) => {
      metrics.directoryServerFailures.inc({ url });
      logger.warn({ url, reason }, 'directory server did not answer; trying the next URL');
    },
  }) : undefined;
  const workforce = directory && createWorkforceService({
    store: identityStore, directory, clock, domains: config.directory?.domains ?? [],
    endSessions: async (accountId) => { await sessions.endAll(accountId); },
    audit: auditAs('directory'),
  });

  const outbox = createOutbox({
    db: store.db, clock, transport: config.mail.smtpUrl ?? null, from: config.mail.from,
    pollMs: config.mail.pollMs, maxAttempts: config.mail.maxAttempts, logger: logger.child({ module: 'delivery' }),
  });
  const link = (path: string) => new URL(path, config.issuer + '/').toString();
  const limiter = createRateLimiter(store.db, clock);
  const hasher = await createPasswordHasher();
  const passwordPolicy: PasswordPolicy = {
    minLength: config.accounts.passwordMinLength, minLengthWithSecondFactor: config.accounts.passwordMinLengthWithSecondFactor,
    maxLength: 1024, isBreached: isBreachedPassword,
  };
  // The identity domain asks this port, not the OTP module: an active token is the second factor that allows a
  // shorter password. (`otp` is made below; the port is called only once requests come.)
  const hasSecondFactor = (accountId: string) => otp.hasActiveToken(accountId);
  const sendMail = async (templateId: string, to: string, params: Record<string, string | number>) => {
    await outbox.enqueue({ to, ...renderMail(templateId, params), category: 'transactional' });
    metrics.mail.inc({ template: templateId });
  };
  const selfService = createSelfService({
    db: store.db, store: identityStore, hasher, policy: passwordPolicy, hasSecondFactor, sendMail, clock, random: cryptoRandom,
    links: {
      confirmEmailChange: (token) => link(`account/email/confirm?token=${encodeURIComponent(token)}`),
      undoEmailChange: (token) => link(`account/email/undo?token=${encodeURIComponent(token)}`),
      account: () => link('account'),
    },
    emailChangeTtlSeconds: config.accounts.verificationTtlSeconds,
    audit: auditAs('anonymous'),
  });
  const accounts = createAccountService({
    store: identityStore,
    hasher,
    policy: passwordPolicy,
    sendMail,
    recordMarketingOptIn: async (accountId) => { await selfService.setMarketing(accountId, true, 'signup'); },
    // Links in mail always use the configured issuer, never the request's Host header (T21).
    links: {
      verifyEmail: (token) => link(`verify-email?token=${encodeURIComponent(token)}`),
      signIn: () => link(''),
      resetPassword: () => link('reset-password'),
    },
    clock, random: cryptoRandom, codePepper,
    verificationTtlSeconds: config.accounts.verificationTtlSeconds,
    verificationMaxAttempts: config.accounts.verificationMaxAttempts,
    audit: auditAs('anonymous'),
    // Counted before the guess is checked or the mail sent, so parallel requests cannot slip past (T45).
    async throttle(kind, accountId) {
      const [key, rule] = kind === 'code_guess'
        ? [accountKey('verify-code', accountId), config.limits.verificationGuessesPerAccount]
        : [accountKey('verify-mail', accountId), config.limits.mailPerAccount];
      const decision = await limiter.consume(key, rule);
      return decision.allowed ? 0 : decision.retryAfterSeconds;
    },
  });

  const otp = createOtpService({
    store: createSqlOtpStore(store.db), sealer, clock, random: cryptoRandom, issuerName: config.otp.issuerName,
    policy: { windowSteps: config.otp.windowSteps, freeFailures: config.otp.freeFailures, maxFailures: config.otp.maxFailures, enrolmentTtlSeconds: config.otp.enrolmentTtlSeconds },
    audit: auditAs('anonymous'),
  });
  // A new second factor is news the person must hear of, every time (T44): a registration they did not make is how
  // they learn that someone has their password. "Only the last registered software token is valid": the mail says
  // which earlier apps stopped working.
  const afterEnrolment = async (accountId: string, confirmed: Confirmed) => {
    const account = await accounts.findAccount(accountId);
    if (!account?.email) return;
    await (confirmed.revoked.length === 0
      ? sendMail('otp.token_registered', account.email, { serial: confirmed.token.serial })
      : sendMail('otp.token_replaced', account.email, { serial: confirmed.token.serial, revoked: confirmed.revoked.map((r) => r.serial).join(', ') }));
  };
  const policies = cachedPolicyStore(createSqlPolicyStore(store.db), () => clock.now());
  // Password attempts, on the sign-in page and the VPN alike (src/ratelimit/attempt-limits.ts).
  const signInRules: AttemptRules = {
    perAccountSource: config.limits.signInPerAccountSource, perSource: config.limits.signInPerSource,
    perAccount: config.limits.signInPerAccount, perDevice: config.limits.signInPerDevice,
  };
  const devices = createDeviceCookies({ key: deviceKey, clock, lifetimeDays: config.limits.deviceCookieDays, secure: config.issuer.startsWith('https:') });
  const groupsOf = async (accountId: string) => (await accounts.findAccount(accountId))?.groups ?? [];
  const secondFactor = createSecondFactorRule({ policies, groupsOf, hasToken: (accountId) => otp.hasActiveToken(accountId), now: () => clock.now() });
  const signIn = createSignIn({
    store: createSqlSignInFlowStore(store.db), clock, random: cryptoRandom, secondFactor, otp, afterEnrolment, flowTtlSeconds: 15 * 60,
    async label(accountId) {
      const account = await accounts.findAccount(accountId);
      return account?.username ?? account?.email ?? accountId;
    },
  });

  const clients = createClientRegistry(store.db, sealer, clock);
  const provider = createProvider({
    issuer: config.issuer,
    adapter: createAdapterFactory(store.db, clock, clients) as never,
    signingKeys,
    cookieKeys: [cookieKey.toString('base64url')],
    findAccount: (id) => accounts.findAccount(id),
    accessTokenSeconds: config.tokens.accessTokenSeconds,
    refreshTokenSeconds: config.tokens.refreshTokenSeconds,
    sessionSeconds: config.sessions.absoluteSeconds,
    sessionIdleSeconds: config.sessions.idleSeconds,
    clock,
    secureCookies: config.issuer.startsWith('https:'),
    allowPrivateNetworkCallbacks: config.oidc.allowPrivateNetworkCallbacks || config.demo,
    needsSecondFactor: (clientId, accountId, amr, requestedMfa) => signIn.needsSecondFactor(clientId, accountId, amr, requestedMfa),
    findGrantId: (accountId, clientId) => findGrantId(store.db, clock, accountId, clientId),
  });
  provider.on('grant.success', (ctx) => metrics.tokens.inc({ grant_type: String(ctx.oidc.params?.grant_type ?? 'unknown') }));
  const sessions = createSessionManager(provider, store.db, clock, (err) => logger.warn({ err: (err as Error).message }, 'back-channel logout failed'));
  provider.on('authorization.success', (ctx) => { sessions.touch(ctx).catch((err) => logger.warn({ err }, 'session details not saved')); });
  // The account site signs in as a first-party app of this Tessera; its redirect follows the configured issuer.
  if (!await clients.find(accountClientId)) {
    await clients.add({ client_id: accountClientId, client_name: 'Your account', public: true, first_party: true, redirect_uris: [link('account/callback')] })
      .catch((err) => { if ((err as { code?: string }).code !== 'client.exists') throw err; });
  }
  provider.on('server_error', (_ctx, err) => logger.error({ err }, 'oidc provider error'));

  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy.length > 0 ? config.http.trustProxy : false,
  }) as unknown as FastifyInstance;
  app.addHook('onRequest', (req, _reply, done) => requestSource.run({ ip: req.ip }, done));
  await app.register(formbody);
  await registerSecurityHeaders(app, { issuer: config.issuer });
  registerStylesheet(app);
  registerErrorHandling(app);
  registerObservability(app, metrics, async () => { await store.db.selectFrom('accounts').select('id').limit(1).execute(); }, { bearerToken: config.metrics.bearerToken });
  registerInteractions(app, {
    provider, accounts, workforce, passwordChangeUrl: config.directory?.passwordChangeUrl, csrf, passwordMinLength: passwordPolicy.minLength, signIn, limiter, limits: config.limits,
    signInRules, devices,
    onSignIn: (outcome) => metrics.logins.inc({ outcome }),
  });
  const captcha = createCaptcha({ db: store.db, clock, hmacKey: captchaKey.toString('base64'), maxNumber: config.accounts.captchaMaxNumber, expiresSeconds: 600 });
  registerResetRoutes(app, {
    captcha,
    reset: createPasswordReset({
      db: store.db, store: identityStore, hasher, policy: passwordPolicy, hasSecondFactor, sendMail, clock, random: cryptoRandom,
      link: (token) => link(`reset-password/new?token=${encodeURIComponent(token)}`), accountLink: () => link('account'),
      ttlSeconds: config.accounts.resetTtlSeconds, audit: auditAs('anonymous'),
    }),
    sessions, csrf, limiter, devices,
    // The owner's browser (device cookie) has the per-address allowance to itself.
    rules: { perAccountSource: config.limits.mailPerAccountSource, perSource: config.limits.mailPerSource, perAccount: config.limits.mailPerAccount, perDevice: config.limits.mailPerAccount },
    secureCookies: config.issuer.startsWith('https:'), onError: (err) => logger.error({ err }, 'password reset mail failed'),
  });
  registerAccountSite(app, {
    provider, accounts, selfService, sessions, clients, csrf, otp, afterEnrolment, issuer: config.issuer,
    secureCookies: config.issuer.startsWith('https:'),
    session: config.sessions, clock, limiter, limits: config.limits,
  });
  const unsubscribeLink = (accountId: string) => link(`unsubscribe?t=${unsubscribeTokens.issue(accountId)}`);
  registerAccountRoutes(app, {
    accounts,
    async unsubscribe(token) {
      const accountId = unsubscribeTokens.verify(token);
      if (!accountId || !await accounts.findAccount(accountId)) return false;
      await selfService.setMarketing(accountId, false, 'unsubscribe_link');
      return true;
    },
    mailbox: config.demo && !config.mail.smtpUrl
      ? async () => (await outbox.recent({ limit: 50 })).map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, createdAt: m.createdAt }))
      : undefined,
  });
  registerOtpValidateApi(app, {
    otp, accounts, issuer: config.issuer, audience: apiResource(config.issuer), keys: publicJwks(signingKeys), limiter, perUser: config.limits.otpApiPerUser,
    onResult: (result) => metrics.otpValidations.inc({ result }),
  });
  await mountProvider(app, provider, config.issuer);

  // Every node runs the directory sync; it is idempotent, so several nodes doing it costs only directory reads.
  let syncTimer: NodeJS.Timeout | undefined;
  const scheduleSync = () => {
    if (!workforce) return;
    syncTimer = setTimeout(async () => {
      try {
        const result = await workforce.sync();
        logger.info(result, 'directory sync done');
      } catch (err) {
        logger.warn({ code: (err as { code?: string }).code }, 'directory sync stopped: the directory did not answer');
      }
      scheduleSync();
    }, config.directorySyncMinutes * 60_000);
    syncTimer.unref();
  };

  // RADIUS for the VPN gateways: password, then the one-time code by Access-Challenge.
  const challengeStates = createSqlChallengeStates(store.db, clock, 120);
  const purgeChallenges = createChallengePurge({ states: challengeStates, audit: auditAs('radius') });
  const radiusClients = createSqlStoredClients(store.db, sealer, clock, config.radius?.clients.map((c) => c.name));
  const vpnSessions = createSqlVpnSessions(store.db);
  let radius: RadiusServer | undefined;
  let radiusBound: RadiusBound | undefined;
  if (config.radius) {
    // Group names compare without case, as the directories compare them (the configuration refuses two spellings).
    const replyAttributesByGroup = new Map(Object.entries(config.radiusGroupAttributes).map(([group, attributes]) => [group.toLowerCase(), attributes]));
    const vpnLogin = createVpnLogin({
      async checkPassword(userName, password, request) {
        // The sign-in page's rule on counters of the VPN's own, so that guessing on the web page alone cannot keep
        // staff off the VPN, nor the other way round. The gateway's address is everyone's behind it: the client is
        // the one it names in Calling-Station-Id, else only the gateway.
        const station = callingStation(request);
        const account = await limiter.limitFailures(
          attemptLimits({ action: 'vpn', account: userName, source: station ? { station } : { gateway: request.client } }, signInRules),
          () => (workforce?.isDirectoryName(userName) ? workforce.signIn(userName, password) : accounts.authenticate(userName, password)),
          countsAsFailedSignIn,
        );
        return { accountId: account.id, groups: account.groups, workforce: account.kind === 'workforce' };
      },
      // One read of the person's tokens serves both the decision and, with password and code in one field, the check.
      async secondFactor(appId, accountId, groups) {
        const tokens = await otp.tokensOf(accountId);
        const decision = await secondFactor(appId, accountId, groups, tokens.hasActive);
        return { ...decision, checkCode: async (code, source) => { await tokens.validate(code, { source }); } };
      },
      // The answer to a challenge: the account may have been disabled since its password was checked (T7).
      async validateCode(accountId, code, source) {
        if ((await identityStore.findAccountById(accountId))?.status !== 'active') throw new IdentityError('identity.invalid_credentials', 'password');
        await otp.validate(accountId, code, { source });
      },
      firstCodeLogin: async (id) => !await audit.hasEvent('radius.accept', id, { factors: ['pwd', 'otp'] }),
      states: challengeStates,
      takeSteps: () => audit.takeSteps(),
      accountOf: async (userName) => (workforce?.isDirectoryName(userName) ? await workforce.accountNamed(userName) : undefined)?.id,
      message: (id) => (id === 'password_expired' && config.directory?.passwordChangeUrl !== undefined
        ? t('radius.password_expired_at', { url: config.directory.passwordChangeUrl }) : t(`radius.${id}`)),
      async replyAttributes(accountId, knownGroups) {
        return (knownGroups ?? await groupsOf(accountId)).flatMap((group) => replyAttributesByGroup.get(group.toLowerCase()) ?? []);
      },
      audit: auditAs('radius'),
    });
    radius = createRadiusServer({
      config: config.radius,
      clock,
      loadClients: () => radiusClients.load(),
      // One audit row per login: the directory and code checks are its steps (details.steps).
      authenticate: (request) => audit.asOneEvent(() => vpnLogin(request)),
      async account(record) {
        const change = sessionChange(record, clock.now());
        await vpnSessions.apply(change);
        // Interim updates only refresh counters; the audit trail keeps the beginnings and ends.
        if (change.kind !== 'interim' && change.kind !== 'ignored') {
          await audit.record({ actor: record.client, action: `radius.accounting.${change.kind}`, subject: 'userName' in change ? change.userName : null, source: record.source.address, outcome: 'success', details: { session: record.sessionId } });
        }
      },
      onError: (error, context) => logger.warn({ ...context, code: (error as { code?: string }).code, err: (error as Error).message }, 'RADIUS step failed'),
      onCount: (event) => metrics.radius.inc({ client: event.client ?? 'unknown', outcome: event.outcome }),
      internalErrorMessage: t('web.unavailable'),
    });
  }

  // Housekeeping every node may do: expired OIDC rows, old attempt counters, VPN challenges never answered (each
  // recorded once, by the node whose purge removed it), OTP registrations opened and never finished.
  const housekeep = async () => {
    const sessionRetentionMs = (config.radius?.sessionRetentionDays ?? 90) * 86_400_000;
    await Promise.all([
      purgeExpired(store.db, clock), limiter.purge(24 * 3600 * 1000), captcha.purge(), purgeChallenges(),
      vpnSessions.purge(clock.now() - sessionRetentionMs), signIn.purge(), otp.forgetExpiredEnrolments(),
    ]);
  };
  const housekeeping = setInterval(() => {
    housekeep().catch((err) => logger.warn({ err: (err as Error).message }, 'housekeeping failed'));
  }, 15 * 60_000);
  housekeeping.unref();

  return {
    config, app, store, sealer, provider, clients, accounts, selfService, sessions, workforce, otp, policies, outbox, audit, metrics, logger,
    radiusAddress: () => radiusBound,
    radiusClients,
    vpnSessions,
    housekeeping: housekeep,
    unsubscribeLink,
    sendCampaign: (input) => sendCampaign({
      outbox, audience: () => selfService.marketingAudience(), unsubscribeLink, perMinute: config.mail.marketingPerMinute, now: () => clock.now(),
    }, input),
    async listen() {
      const address = await app.listen({ port: config.http.port, host: config.http.host });
      outbox.start();
      scheduleSync();
      if (radius) {
        radiusBound = await radius.listen();
        logger.info(radiusBound, 'RADIUS is listening');
      }
      return address;
    },
    async close() {
      clearTimeout(syncTimer);
      clearInterval(housekeeping);
      await radius?.close();
      await outbox.stop();
      await app.close();
      await directory?.close();
      await store.close();
    },
  };
}
