// OTP registration (/otp/register): the flow over the directory (employee ID, mobile number), the sign-in's first
// factor, the OTP service, the registration notice and the SMS outbox with its gateway; present when a directory is
// configured.
import type { FastifyInstance } from 'fastify';
import {
  callbackOutcome,
  createHttpSmsGateway,
  createSmppGateway,
  createSmsOutbox,
  createSqlSmsOutboxStore,
  validCallbackSignature,
  type SmsGateway,
  type SmsOutbox,
} from '../delivery/index.ts';
import type { DirectorySource } from '../directory/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import { currentLocale, t } from '../i18n/index.ts';
import { createSqlIdentityStore } from '../identity/index.ts';
import type { OtpService } from '../otp/index.ts';
import {
  createRegistration,
  createSqlRegistrationStore,
  type Registration,
  type SmsPorts,
} from '../registration/index.ts';
import type { FirstFactor } from '../signin/index.ts';
import { cryptoRandom } from '../clock/index.ts';
import {
  registerDesktopRegistrationApi,
  registerRegistrationRoutes,
  registerSmsStatusRoute,
  type Csrf,
  type MailboxEntry,
} from '../web/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Policy } from './otp-policy.ts';

export interface RegistrationParts {
  identity: Identity;
  otp: OtpService;
  policy: Policy;
  firstFactor: FirstFactor;
  directory: DirectorySource | undefined;
  workforce: WorkforceService | undefined;
}

/** The registration flow and, where SMS are sent (or kept for the demo's mailbox), the SMS outbox. */
export interface RegistrationWiring {
  service: Registration;
  sms?: SmsOutbox;
  /** The housekeeping's part: flows and codes long expired, SMS done with. */
  purge(): Promise<unknown>;
}

/** The configured gateway: null for the demo's mailbox (nothing sent), undefined for no SMS at all. */
function smsGateway(f: Foundation): SmsGateway | null | undefined {
  const { sms } = f.config;
  const provider = sms.provider ?? (f.config.demo ? 'mailbox' : undefined);
  const timeouts = { connectTimeoutMs: sms.connectTimeoutMs, submitTimeoutMs: sms.submitTimeoutMs };
  if (provider === 'http') {
    const http = sms.http!;
    const statusCallbackUrl = http.statusCallbacks ? f.link('sms/status') : undefined;
    return createHttpSmsGateway({ ...http, statusCallbackUrl, timeoutMs: sms.submitTimeoutMs });
  }
  if (provider === 'smpp') return createSmppGateway({ ...sms.smpp!, ...timeouts });
  return provider === 'mailbox' ? null : undefined;
}

function smsPorts(f: Foundation, outbox: SmsOutbox): SmsPorts {
  const { sms, registration } = f.config;
  const accounts = createSqlIdentityStore(f.store.db);
  return {
    // The text in the catalogue's words; the code's life as the person reads it ("10 minutes"). The SMS is sent only
    // on the person's own registration page: its language is the one they use now, remembered on the account.
    async send({ id, to, code, reference, expiresAt, accountId }) {
      const current = currentLocale();
      if (current) await accounts.setLocale(accountId, current);
      const locale = current ?? (await accounts.findAccountById(accountId))?.locale ?? f.config.i18n.defaultLocale;
      const text = t('sms.registration_code', { code, expiresSeconds: registration.smsCodeTtlSeconds }, locale);
      await outbox.enqueue({ id, to, text, reference, expiresAt });
    },
    delivery: (id) => outbox.state(id),
    perAccount: sms.perAccount,
    perNumber: sms.perNumber,
    perSource: sms.perSource,
  };
}

export function composeRegistration(f: Foundation, p: RegistrationParts): RegistrationWiring | undefined {
  const { directory, workforce } = p;
  if (!directory || !workforce) return undefined;
  const { registration, sms } = f.config;
  const gateway = smsGateway(f);
  const outbox =
    gateway === undefined
      ? undefined
      : createSmsOutbox({
          store: createSqlSmsOutboxStore(f.store.db),
          clock: f.clock,
          gateway,
          pollMs: sms.pollMs,
          maxAttempts: sms.maxAttempts,
          logger: f.logger.child({ module: 'sms' }),
        });
  // The directory is asked by the name it knows the person by (its login name), never by what was typed.
  const usernameOf = async (accountId: string) => (await p.identity.accounts.findAccount(accountId))?.username ?? '';
  const service = createRegistration({
    store: createSqlRegistrationStore(f.store.db),
    clock: f.clock,
    random: cryptoRandom,
    codePepper: f.secrets.codePepper,
    policy: registration,
    firstFactor: p.firstFactor.check,
    isDirectoryName: (name) => workforce.isDirectoryName(name),
    directory: {
      employeeIdMatches: async (accountId, typed) => directory.checkEmployeeId(await usernameOf(accountId), typed),
      mobileOf: async (accountId) => directory.mobileOf(await usernameOf(accountId)),
    },
    otp: p.otp,
    limiter: f.limiter,
    guessesPerAccount: registration.guessesPerAccount,
    sms: outbox && smsPorts(f, outbox),
    async label(accountId) {
      const account = await p.identity.accounts.findAccount(accountId);
      return account?.username ?? account?.email ?? accountId;
    },
    afterEnrolment: p.policy.afterEnrolment,
    audit: f.auditAs('anonymous'),
  });
  return { service, sms: outbox, purge: () => Promise.all([service.purge(), outbox?.purge()]) };
}

/** The /otp/register pages, and the HTTP SMS provider's signed status callbacks where they are asked for. */
export function registerRegistrationWeb(f: Foundation, app: FastifyInstance, r: RegistrationWiring, csrf: Csrf) {
  const { config } = f;
  registerRegistrationRoutes(app, {
    registration: r.service,
    csrf,
    secureCookies: f.secureCookies,
    flowTtlSeconds: config.registration.flowTtlSeconds,
    employeeIdHint: config.registration.employeeIdHint,
    appName: config.otp.issuerName,
  });
  // The PC app registers through the same flow, as JSON (/api/otp/desktop/*).
  registerDesktopRegistrationApi(app, { registration: r.service, clock: f.clock });
  const http = config.sms.provider === 'http' ? config.sms.http : undefined;
  const outbox = r.sms;
  if (!http?.statusCallbacks || !outbox) return;
  const url = f.link('sms/status');
  registerSmsStatusRoute(app, {
    // Checked against the URL we gave the provider (built from the issuer), never against the Host header.
    verify: (fields, signature) => validCallbackSignature(http.authToken, url, fields, signature),
    async report(fields) {
      const outcome = callbackOutcome(fields.MessageStatus);
      if (outcome && fields.MessageSid) await outbox.report('http', fields.MessageSid, outcome);
    },
  });
}

/** The demo's mailbox page lists the SMS beside the mail. */
export async function smsMailboxEntries(outbox: SmsOutbox | undefined): Promise<MailboxEntry[]> {
  if (!outbox) return [];
  return (await outbox.recent(50)).map((s) => ({
    id: `sms-${s.id}`,
    to: s.to,
    subject: t('mailbox.sms'),
    text: s.text,
    createdAt: s.createdAt,
  }));
}
