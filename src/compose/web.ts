// HTTP: one Fastify app with the shared plugins, then every route module in the order they are registered.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { OtpService } from '../otp/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import { apiResource, mountProvider, publicJwks, registerInteractions } from '../oidc/index.ts';
import type { JWK } from 'jose';
import { createCaptcha, createSqlSpentSolutions } from '../captcha/index.ts';
import {
  createCsrf,
  registerAccountRoutes,
  registerAccountSite,
  registerConsole,
  type ConsoleOptions,
  registerErrorHandling,
  registerLocale,
  registerObservability,
  registerOtpValidateApi,
  registerResetRoutes,
  registerSecurityHeaders,
  registerStylesheet,
} from '../web/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity, Mail } from './identity.ts';
import type { Policy } from './otp-policy.ts';
import type { SignInParts } from './signin.ts';
import type { FirstFactor } from '../signin/index.ts';
import type { Oidc } from './oidc.ts';
import { composeCluster } from './cluster.ts';
import { composeSaml } from './saml.ts';
import { registerRegistrationWeb, smsMailboxEntries, type RegistrationWiring } from './registration.ts';
import type { SocialParts } from './social.ts';
import type { AdminService, Operator } from '../admin/index.ts';

export interface WebParts {
  identity: Identity;
  mail: Mail;
  otp: OtpService;
  policy: Policy;
  signIn: SignInParts;
  oidc: Oidc;
  workforce: WorkforceService | undefined;
  firstFactor: FirstFactor;
  /** OTP registration, when a directory is configured. */
  registration?: RegistrationWiring;
  social?: SocialParts;
}

/** The app and what every route shares: body parsing, security headers, the stylesheet, errors, health, metrics. */
export async function composeHttp(f: Foundation): Promise<FastifyInstance> {
  const { config, store } = f;
  const app: FastifyInstance = Fastify({
    loggerInstance: f.logger,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy.length > 0 ? config.http.trustProxy : false,
  }) as unknown as FastifyInstance;
  app.addHook('onRequest', (req, _reply, done) => f.requestSource.run({ ip: req.ip }, done));
  // Serving makes this process a node of the cluster: joined (shared settings checked) before the port opens, left at
  // close. A process that never serves (a CLI command) only publishes its changes.
  const cluster = composeCluster(f);
  app.addHook('onReady', cluster.join);
  app.addHook('onClose', cluster.leave);
  registerLocale(app, { defaultLocale: config.i18n.defaultLocale, secureCookies: f.secureCookies });
  await app.register(formbody);
  await registerSecurityHeaders(app, { issuer: config.issuer });
  registerStylesheet(app);
  registerErrorHandling(app);
  const ready = async () => {
    await store.db.selectFrom('accounts').select('id').limit(1).execute();
  };
  registerObservability(app, f.metrics, ready, { bearerToken: config.metrics.bearerToken });
  return app;
}

/** Sign-in pages, password reset, the account site, the OTP validation API and the provider's endpoints. */
export async function composeWebRoutes(f: Foundation, app: FastifyInstance, p: WebParts) {
  const { config, limiter, metrics, secureCookies } = f;
  const { accounts, selfService } = p.identity;
  const { provider, sessions, clients } = p.oidc;
  const { devices } = p.signIn;
  const csrf = createCsrf(f.secrets.csrfKey);
  registerInteractions(app, {
    provider,
    accounts,
    workforce: p.workforce !== undefined,
    passwordChangeUrl: config.directory?.passwordChangeUrl,
    csrf,
    passwordMinLength: p.identity.passwordPolicy.minLength,
    signIn: p.signIn.signIn,
    limiter,
    limits: config.limits,
    devices,
    firstFactor: p.firstFactor,
    social: p.social,
    onSignIn: (outcome) => metrics.logins.inc({ outcome }),
  });
  const captcha = createCaptcha({
    spent: createSqlSpentSolutions(f.store.db),
    clock: f.clock,
    hmacKey: f.secrets.captchaKey.toString('base64'),
    maxNumber: config.accounts.captchaMaxNumber,
    expiresSeconds: 600,
  });
  const { mailPerAccountSource, mailPerSource, mailPerAccount } = config.limits;
  registerResetRoutes(app, {
    captcha,
    reset: p.identity.reset,
    sessions,
    csrf,
    limiter,
    devices,
    // The owner's browser (device cookie) has the per-address allowance to itself.
    rules: {
      perAccountSource: mailPerAccountSource,
      perSource: mailPerSource,
      perAccount: mailPerAccount,
      perDevice: mailPerAccount,
    },
    secureCookies,
    onError: (err) => f.logger.error({ err }, 'password reset mail failed'),
  });
  // SAML 2.0 and WS-Federation: their own endpoints, over the same sign-in and SSO session (src/saml).
  const saml = await composeSaml(f, app, p);
  registerAccountSite(app, {
    afterSignOutEverywhere: (accountId, returnUrl) => saml.slo.afterAccountSignedOut(accountId, returnUrl),
    afterSessionEnded: (accountId, uid, returnUrl) => saml.slo.afterSessionEnded({ uid, accountId }, returnUrl),
    provider,
    accounts,
    selfService,
    sessions,
    clients,
    csrf,
    otp: p.otp,
    afterEnrolment: p.policy.afterEnrolment,
    issuer: config.issuer,
    secureCookies,
    session: config.sessions,
    clock: f.clock,
    limiter,
    limits: config.limits,
    social: p.social,
  });
  registerAccountRoutes(app, {
    accounts,
    unsubscribe: p.identity.unsubscribe,
    mailbox: demoMailbox(f, p),
  });
  registerOtpValidateApi(app, {
    otp: p.otp,
    accounts,
    issuer: config.issuer,
    audience: apiResource(config.issuer),
    keys: publishedKeys(p.oidc.signingKeys.current),
    limiter,
    perUser: config.limits.otpApiPerUser,
    onResult: (result) => metrics.otpValidations.inc({ result }),
  });
  if (p.registration) registerRegistrationWeb(f, app, p.registration, csrf);
  // Signing out at the provider's end_session page tells the session's SAML apps too (front-channel).
  await mountProvider(app, provider, config.issuer, {
    afterSignOut: (session, location) => saml.slo.afterSessionEnded(session, location),
  });
  return { captcha, saml };
}

/** The demo's local mailbox (no SMTP relay): its mail, and the SMS kept beside it, newest first. */
function demoMailbox(f: Foundation, p: WebParts) {
  if (!f.config.demo || f.config.mail.smtpUrl) return undefined;
  return async () =>
    [
      ...(await p.mail.outbox.recent({ limit: 50 })).map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        text: m.text,
        createdAt: m.createdAt,
      })),
      ...(await smsMailboxEntries(p.registration?.sms)),
    ].sort((a, b) => b.createdAt - a.createdAt);
}

/** The IT support console (/console): the admin service for the person signed in, behind its own short session. */
export function composeConsole(
  f: Foundation,
  app: FastifyInstance,
  p: { oidc: Oidc; admin: (o: Operator) => AdminService; setupLinks: ConsoleOptions['setupLinks'] },
) {
  registerConsole(app, {
    provider: p.oidc.provider,
    admin: p.admin,
    setupLinks: p.setupLinks,
    csrf: createCsrf(f.secrets.csrfKey),
    seal: (plaintext, context) => f.sealer.seal(plaintext, context),
    open: (sealed, context) => f.sealer.open(sealed, context),
    issuer: f.config.issuer,
    secureCookies: f.secureCookies,
    clock: f.clock,
    limits: f.config.console,
  });
}

/** The public keys of the key set in force, worked out again only when the set changes. */
function publishedKeys(current: () => JWK[]): () => JWK[] {
  let last: { from: JWK[]; keys: JWK[] } | undefined;
  return () => {
    const from = current();
    if (last?.from !== from) last = { from, keys: publicJwks(from) };
    return last.keys;
  };
}
