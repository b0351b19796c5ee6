// The steps every account-site route is built from: the person's SSO session (oidc-provider's cookie) is the sign-in,
// every form needs that session and a CSRF token bound to it, and each answer is the account page again.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { IdentityError, type AccountService, type SelfService } from '../../identity/index.ts';
import type { ClientRegistry, SessionManager } from '../../oidc/index.ts';
import { sessionTtlSeconds } from '../../signin/index.ts';
import type { Confirmed, OtpService } from '../../otp/index.ts';
import { accountKey, sourceKey, type Limit, type RateLimiter } from '../../ratelimit/index.ts';
import type { Clock } from '../../clock/index.ts';
import type { Csrf } from '../csrf.ts';
import { answerStatus, formError } from '../error-map.ts';
import { isMessageId, t, type MessageId } from '../../i18n/index.ts';
import { messagePage } from '../pages/account-pages.ts';
import { accountPage, describeDevice } from '../pages/account-site-pages.ts';
import type { FieldError } from '../pages/forms.ts';
import type { SocialWeb } from '../social-trip.ts';

export const accountClientId = 'tessera-account';

export interface AccountSiteOptions {
  provider: Provider;
  accounts: AccountService;
  selfService: SelfService;
  sessions: SessionManager;
  clients: ClientRegistry;
  csrf: Csrf;
  otp: OtpService;
  /** Tells the person by mail when a new OTP app replaced earlier ones. */
  afterEnrolment(accountId: string, confirmed: Confirmed): Promise<void>;
  issuer: string;
  secureCookies: boolean;
  /** The SSO session's limits, as the provider applies them: a visit to the account page is a use too. */
  session: { absoluteSeconds: number; idleSeconds: number };
  clock: Clock;
  limiter: RateLimiter;
  /** Wrong current passwords (change password, change e-mail, delete) per account, and per source. */
  limits: { reauthPerAccount: Limit; signInPerSource: Limit };
  /** Sign-in providers to list, link and unlink (src/social), when any is configured. */
  social?: SocialWeb;
  /**
   * After "sign out everywhere" ended every session of the account: where the browser goes first to tell the
   * account's other apps (SAML apps, through the browser) before `returnUrl`; undefined when there is none.
   */
  afterSignOutEverywhere?(accountId: string, returnUrl: string): Promise<string | undefined>;
  /** The same after one session `uid` of the account was ended from the list of sessions. */
  afterSessionEnded?(accountId: string, uid: string, returnUrl: string): Promise<string | undefined>;
}

export interface AccountSession {
  accountId: string;
  uid: string;
  loginTs: number;
  amr: string[];
}

export type Body = Record<string, string | undefined>;
const text = { type: 'string', maxLength: 1024 } as const;
// Above the password policy's 1,024 characters, so a longer password reaches the domain and gets its "too long".
const passwordText = { type: 'string', maxLength: 4096 } as const;
export const bodySchema = {
  body: {
    type: 'object',
    properties: {
      csrf: text,
      current_password: passwordText,
      new_password: passwordText,
      new_email: text,
      email_current_password: passwordText,
      delete_current_password: passwordText,
      subscribed: text,
      token: text,
      provider: text,
      subject: text,
    },
  },
} as const;

export const page = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

export interface AccountRender {
  notice?: { id: MessageId; params?: Record<string, string> };
  errors?: FieldError[];
  status?: number;
}

// The SSO session oidc-provider keeps (its store drops one past its idle or absolute limit). A visit counts as a
// use: the session is saved with a new idle deadline, never past the absolute one, and its cookie follows.
async function readSession(
  o: AccountSiteOptions,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<AccountSession | undefined> {
  const ctx = o.provider.createContext(req.raw, reply.raw);
  const session = await o.provider.Session.get(ctx as never);
  if (!session.accountId) return undefined;
  const { absoluteSeconds, idleSeconds } = o.session;
  await session.save(sessionTtlSeconds(session.loginTs, absoluteSeconds, idleSeconds, o.clock.now()));
  ctx.cookies.set(o.provider.cookieName('session'), session.jti, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: o.secureCookies,
    path: '/',
    expires: new Date((session.exp ?? 0) * 1000),
    overwrite: true,
  });
  const amr = (session.amr as string[] | undefined) ?? [];
  return { accountId: session.accountId, uid: session.uid, loginTs: (session.loginTs ?? 0) * 1000, amr };
}

/** The account page: the person, their sessions and apps (the account site itself left out), tokens and forms. */
async function renderAccountPage(
  o: AccountSiteOptions,
  reply: FastifyReply,
  session: AccountSession,
  extra: AccountRender,
) {
  const account = await o.accounts.findAccount(session.accountId);
  if (!account) return reply.redirect('/account/login', 303);
  const granted = (await o.sessions.apps(account.id)).filter((a) => a.clientId !== accountClientId);
  const apps = await Promise.all(
    granted.map(async (a) => {
      const client = await o.clients.find(a.clientId);
      return {
        clientId: a.clientId,
        name: String(client?.client_name ?? a.clientId),
        logoUri: client?.logo_uri as string | undefined,
        policyUri: client?.policy_uri as string | undefined,
        tosUri: client?.tos_uri as string | undefined,
        scopes: a.scopes,
      };
    }),
  );
  const sessions = (await o.sessions.list(account.id)).map((s) => ({
    ...s,
    device: describeDevice(s.userAgent),
    apps: s.apps.filter((c) => c !== accountClientId),
  }));
  return page(
    reply,
    extra.status ?? 200,
    accountPage({
      csrf: o.csrf.token(`account:${session.uid}`),
      email: account.email ?? account.username ?? '',
      name: account.name,
      isCustomer: account.kind === 'customer',
      currentSessionUid: session.uid,
      sessions,
      apps,
      marketing: (await o.selfService.marketing(account.id)).subscribed,
      otpTokens: await o.otp.list(account.id),
      showOtp: account.kind === 'workforce' || (await o.otp.hasActiveToken(account.id)),
      otpRegisterHref: account.directoryId ? '/otp/register' : undefined,
      notice: extra.notice,
      errors: extra.errors,
      passwordMinLength: await o.selfService.passwordMinLength(account.id),
      hasPassword: account.passwordHash !== null,
      social: o.social && {
        linked: await o.social.service.list(account.id),
        providers: account.kind === 'customer' ? o.social.service.names() : [],
      },
    }),
  );
}

export function createAccountKit(o: AccountSiteOptions) {
  const csrfFor = (uid: string) => o.csrf.token(`account:${uid}`);
  const currentSession = (req: FastifyRequest, reply: FastifyReply) => readSession(o, req, reply);

  // Every form: a session, and a CSRF token bound to it (ASVS V3.5.1); otherwise nothing is done.
  async function authorized(
    req: FastifyRequest<{ Body: Body }>,
    reply: FastifyReply,
  ): Promise<AccountSession | undefined> {
    const session = await currentSession(req, reply);
    if (!session) {
      reply.redirect('/account/login', 303);
      return undefined;
    }
    if (!o.csrf.valid(`account:${session.uid}`, req.body?.csrf)) {
      page(reply, 403, messagePage('error.title', 'web.csrf'));
      return undefined;
    }
    return session;
  }

  // Several forms share one page, so a domain field name (`password`) is renamed to that form's input (`new_password`).
  const fieldError = (err: unknown, inputs: Record<string, string> = {}): FieldError => {
    const answer = formError(err);
    return { ...answer, field: answer.field && (inputs[answer.field] ?? answer.field) };
  };

  /** The account page again with a form's error, at the error's status (400, or 429 with Retry-After). */
  const refused = (reply: FastifyReply, session: AccountSession, err: unknown, inputs: Record<string, string> = {}) => {
    const errors = [fieldError(err, inputs)];
    return renderAccountPage(o, reply, session, { errors, status: answerStatus(reply, formError(err), 400) });
  };

  // The current password asked again before a change (ASVS V7.5.1) is a password check like a sign-in's: wrong ones
  // are counted per account and per source, reserved before the check (T45), so it is no guessing oracle.
  const withCurrentPassword = <T>(req: FastifyRequest, session: AccountSession, check: () => Promise<T>) => {
    const limits = [
      { key: accountKey('reauth', session.accountId), rule: o.limits.reauthPerAccount },
      { key: sourceKey('reauth', req.ip), rule: o.limits.signInPerSource },
    ];
    const wrongPassword = (err: unknown) => err instanceof IdentityError && err.code === 'identity.wrong_password';
    return o.limiter.limitFailures(limits, check, wrongPassword);
  };

  return {
    options: o,
    /**
     * Signed in within the last 10 minutes (the stand-in for a password an account made with a provider lacks). The
     * sign-in time is oidc-provider's, on its own clock, as the OTP registration's check reads it.
     */
    signedInRecently: (session: AccountSession) => Date.now() - session.loginTs <= 10 * 60_000,
    /** A provider's name as people read it (`google` → Google). */
    providerName: (name: string) =>
      isMessageId(`social.provider.${name}`) ? t(`social.provider.${name}` as MessageId) : name,
    csrfFor,
    currentSession,
    authorized,
    fieldError,
    refused,
    withCurrentPassword,
    renderAccount: (reply: FastifyReply, session: AccountSession, extra: AccountRender = {}) =>
      renderAccountPage(o, reply, session, extra),
  };
}

export type AccountKit = ReturnType<typeof createAccountKit>;
