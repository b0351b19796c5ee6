// Identity and mail: the outbox, customer accounts and self-service, password reset, unsubscribe links, and the
// workforce directory.
import { createOutbox, createSqlOutboxStore, renderMail } from '../delivery/index.ts';
import {
  createSqlConsentStore,
  createSqlEmailChangeStore,
  createSqlPasswordResetStore,
  createAccountService,
  createPasswordHasher,
  createPasswordReset,
  createSelfService,
  createSqlIdentityStore,
  createUnsubscribe,
  createUnsubscribeTokens,
  createWorkforceService,
  isBreachedPassword,
  type IdentityStore,
  type PasswordPolicy,
  type SelfService,
} from '../identity/index.ts';
import { createDirectorySource, type DirectorySource } from '../directory/index.ts';
import type { OtpService } from '../otp/index.ts';
import { accountKey } from '../ratelimit/index.ts';
import { cryptoRandom } from '../clock/index.ts';
import { currentLocale } from '../i18n/index.ts';
import type { Foundation } from './foundation.ts';

export function composeMail(f: Foundation) {
  const { config } = f;
  const outbox = createOutbox({
    store: createSqlOutboxStore(f.store.db),
    clock: f.clock,
    transport: config.mail.smtpUrl ?? null,
    from: config.mail.from,
    pollMs: config.mail.pollMs,
    maxAttempts: config.mail.maxAttempts,
    logger: f.logger.child({ module: 'delivery' }),
  });
  const accounts = createSqlIdentityStore(f.store.db);
  // In the language the person last used (stored on the account), else the language of the request that sends it
  // (a sign-up's first mail), else the configured default.
  const sendMail = async (templateId: string, to: string, params: Record<string, string | number>) => {
    const locale =
      (await accounts.findAccountByEmail(to.toLowerCase()))?.locale ?? currentLocale() ?? config.i18n.defaultLocale;
    await outbox.enqueue({ to, ...renderMail(templateId, params, locale), category: 'transactional' });
    f.metrics.mail.inc({ template: templateId });
  };
  return { outbox, sendMail };
}

export type Mail = ReturnType<typeof composeMail>;

export async function composeIdentity(f: Foundation, mail: Mail, otp: Pick<OtpService, 'hasActiveToken'>) {
  const { config, link, clock } = f;
  const identityStore = createSqlIdentityStore(f.store.db);
  const hasher = await createPasswordHasher();
  const passwordPolicy: PasswordPolicy = {
    minLength: config.accounts.passwordMinLength,
    minLengthWithSecondFactor: config.accounts.passwordMinLengthWithSecondFactor,
    maxLength: 1024,
    isBreached: isBreachedPassword,
  };
  // The identity domain asks this port, not the OTP module: an active token is the second factor that allows a
  // shorter password.
  const hasSecondFactor = (accountId: string) => otp.hasActiveToken(accountId);
  const common = {
    store: identityStore,
    hasher,
    policy: passwordPolicy,
    sendMail: mail.sendMail,
    clock,
    random: cryptoRandom,
  };
  const selfService = createSelfService({
    ...common,
    hasSecondFactor,
    emailChanges: createSqlEmailChangeStore(f.store.db),
    consents: createSqlConsentStore(f.store.db),
    activity: (id) => f.audit.about(id),
    links: {
      confirmEmailChange: (token) => link(`account/email/confirm?token=${encodeURIComponent(token)}`),
      undoEmailChange: (token) => link(`account/email/undo?token=${encodeURIComponent(token)}`),
      account: () => link('account'),
    },
    emailChangeTtlSeconds: config.accounts.verificationTtlSeconds,
    audit: f.auditAs('anonymous'),
  });
  const accounts = createAccountService({
    ...common,
    recordMarketingOptIn: async (accountId) => {
      await selfService.setMarketing(accountId, true, 'signup');
    },
    links: {
      verifyEmail: (token) => link(`verify-email?token=${encodeURIComponent(token)}`),
      signIn: () => link(''),
      resetPassword: () => link('reset-password'),
    },
    codePepper: f.secrets.codePepper,
    verificationTtlSeconds: config.accounts.verificationTtlSeconds,
    verificationMaxAttempts: config.accounts.verificationMaxAttempts,
    audit: f.auditAs('anonymous'),
    // Counted before the guess is checked or the mail sent, so parallel requests cannot slip past (T45).
    async throttle(kind, accountId) {
      const [key, rule] =
        kind === 'code_guess'
          ? [accountKey('verify-code', accountId), config.limits.verificationGuessesPerAccount]
          : [accountKey('verify-mail', accountId), config.limits.mailPerAccount];
      const decision = await f.limiter.consume(key, rule);
      return decision.allowed ? 0 : decision.retryAfterSeconds;
    },
  });
  const reset = createPasswordReset({
    ...common,
    hasSecondFactor,
    resets: createSqlPasswordResetStore(f.store.db),
    link: (token) => link(`reset-password/new?token=${encodeURIComponent(token)}`),
    accountLink: () => link('account'),
    ttlSeconds: config.accounts.resetTtlSeconds,
    audit: f.auditAs('anonymous'),
  });
  const unsubscribe = composeUnsubscribe(f, identityStore, selfService);
  return { identityStore, passwordPolicy, selfService, accounts, reset, ...unsubscribe };
}

export type Identity = Awaited<ReturnType<typeof composeIdentity>>;

/** The links the server hands out itself: one-click unsubscribe, and the one-time setup of an operator's account. */
export const identityLinks = (identity: Identity) => ({
  unsubscribeLink: identity.unsubscribeLink,
  setupLinks: identity.reset,
});

function composeUnsubscribe(f: Foundation, store: IdentityStore, selfService: SelfService) {
  const tokens = createUnsubscribeTokens(f.secrets.unsubscribeKey);
  return {
    unsubscribeLink: (accountId: string) => f.link(`unsubscribe?t=${tokens.issue(accountId)}`),
    unsubscribe: createUnsubscribe({
      tokens,
      exists: async (accountId) => (await store.findAccountById(accountId)) !== undefined,
      optOut: async (accountId) => {
        await selfService.setMarketing(accountId, false, 'unsubscribe_link');
      },
    }),
  };
}

/** The workforce directory, when one is configured; its sync ends the sessions of people it disables. */
export function composeDirectory(
  f: Foundation,
  store: IdentityStore,
  endSessions: (accountId: string) => Promise<void>,
) {
  const { config } = f;
  if (!config.directory) return { directory: undefined, workforce: undefined };
  const directory: DirectorySource = createDirectorySource(config.directory, {
    clock: f.clock,
    onServerFailed: (url, reason) => {
      f.metrics.directoryServerFailures.inc({ url });
      f.logger.warn({ url, reason }, 'directory server did not answer; trying the next URL');
    },
  });
  const workforce = createWorkforceService({
    store,
    directory,
    clock: f.clock,
    domains: config.directory.domains,
    endSessions,
    audit: f.auditAs('directory'),
  });
  return { directory, workforce };
}
