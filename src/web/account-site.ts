// The account site (/account): the person's own SSO session (oidc-provider's cookie) is the sign-in, so a customer
// signed in at the shop opens the account page signed in. Each form: loadSession → checkCsrf → act → render.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { IdentityError, type AccountService, type SelfService } from '../identity/index.ts';
import { acr, sessionTtlSeconds, type ClientRegistry, type SessionManager } from '../oidc/index.ts';
import { OtpError, type Confirmed, type FactorProof, type OtpService } from '../otp/index.ts';
import { accountKey, sourceKey, type Limit, type RateLimiter } from '../ratelimit/index.ts';
import type { Clock } from '../clock/index.ts';
import { enrolmentAnswer, enrolmentForm } from './enrolment.ts';
import type { FieldError } from './pages/forms.ts';
import { answerStatus, formError } from './error-map.ts';
import type { Csrf } from './csrf.ts';
import { t, type MessageId } from './i18n/index.ts';
import { accountNoticePage, accountPage, describeDevice, tokenActionPage } from './pages/account-site-pages.ts';
import { messagePage } from './pages/account-pages.ts';

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
}

interface AccountSession { accountId: string; uid: string; loginTs: number; amr: string[] }

type Body = Record<string, string | undefined>;
const text = { type: 'string', maxLength: 1024 } as const;
// Above the password policy's 1,024 characters, so a longer password reaches the domain and gets its "too long".
const passwordText = { type: 'string', maxLength: 4096 } as const;
const bodySchema = {
  body: { type: 'object', properties: { csrf: text, current_password: passwordText, new_password: passwordText, new_email: text, email_current_password: passwordText, delete_current_password: passwordText, subscribed: text, token: text } },
} as const;
const stateCookie = 'tessera_account_state';

export function registerAccountSite(app: FastifyInstance, o: AccountSiteOptions): void {
  const page = (reply: FastifyReply, status: number, body: string) => reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const csrfFor = (uid: string) => o.csrf.token(`account:${uid}`);

  // The SSO session oidc-provider keeps (its store drops one past its idle or absolute limit). A visit counts as a
  // use: the session is saved with a new idle deadline, never past the absolute one, and its cookie follows.
  async function currentSession(req: FastifyRequest, reply: FastifyReply): Promise<AccountSession | undefined> {
    const ctx = o.provider.createContext(req.raw, reply.raw);
    const session = await o.provider.Session.get(ctx as never);
    if (!session.accountId) return undefined;
    await session.save(sessionTtlSeconds(session.loginTs, o.session.absoluteSeconds, o.session.idleSeconds, o.clock.now()));
    ctx.cookies.set(o.provider.cookieName('session'), session.jti, {
      signed: true, httpOnly: true, sameSite: 'lax', secure: o.secureCookies, path: '/', expires: new Date((session.exp ?? 0) * 1000), overwrite: true,
    });
    return { accountId: session.accountId, uid: session.uid, loginTs: (session.loginTs ?? 0) * 1000, amr: (session.amr as string[] | undefined) ?? [] };
  }

  // Every form: a session, and a CSRF token bound to it (ASVS V3.5.1); otherwise nothing is done.
  async function authorized(req: FastifyRequest<{ Body: Body }>, reply: FastifyReply): Promise<AccountSession | undefined> {
    const session = await currentSession(req, reply);
    if (!session) { reply.redirect('/account/login', 303); return undefined; }
    if (!o.csrf.valid(`account:${session.uid}`, req.body?.csrf)) {
      page(reply, 403, messagePage('error.title', 'web.csrf'));
      return undefined;
    }
    return session;
  }

  async function renderAccount(reply: FastifyReply, session: AccountSession, extra: { notice?: { id: MessageId; params?: Record<string, string> }; errors?: FieldError[]; status?: number } = {}) {
    const account = await o.accounts.findAccount(session.accountId);
    if (!account) return reply.redirect('/account/login', 303);
    const apps = await Promise.all((await o.sessions.apps(account.id)).filter((a) => a.clientId !== accountClientId).map(async (a) => {
      const client = await o.clients.find(a.clientId);
      return { clientId: a.clientId, name: String(client?.client_name ?? a.clientId), logoUri: client?.logo_uri as string | undefined, policyUri: client?.policy_uri as string | undefined, tosUri: client?.tos_uri as string | undefined, scopes: a.scopes };
    }));
    const sessions = (await o.sessions.list(account.id)).map((s) => ({ ...s, device: describeDevice(s.userAgent), apps: s.apps.filter((c) => c !== accountClientId) }));
    return page(reply, extra.status ?? 200, accountPage({
      csrf: csrfFor(session.uid), email: account.email ?? account.username ?? '', name: account.name, isCustomer: account.kind === 'customer',
      currentSessionUid: session.uid, sessions, apps, marketing: (await o.selfService.marketing(account.id)).subscribed,
      otpTokens: await o.otp.list(account.id), showOtp: account.kind === 'workforce' || await o.otp.hasActiveToken(account.id),
      notice: extra.notice, errors: extra.errors, passwordMinLength: await o.selfService.passwordMinLength(account.id),
    }));
  }

  // Several forms share one page, so a domain field name (`password`) is renamed to that form's input (`new_password`).
  const fieldError = (err: unknown, inputs: Record<string, string> = {}): FieldError => {
    const answer = formError(err);
    return { ...answer, field: answer.field && (inputs[answer.field] ?? answer.field) };
  };
  const statusFor = (reply: FastifyReply, err: unknown) => answerStatus(reply, formError(err), 400);

  // The current password asked again before a change (ASVS V7.5.1) is a password check like a sign-in's: wrong ones
  // are counted per account and per source, reserved before the check (T45), so it is no guessing oracle.
  const withCurrentPassword = <T>(req: FastifyRequest, session: AccountSession, check: () => Promise<T>) => o.limiter.limitFailures([
    { key: accountKey('reauth', session.accountId), rule: o.limits.reauthPerAccount },
    { key: sourceKey('reauth', req.ip), rule: o.limits.signInPerSource },
  ], check, (err) => err instanceof IdentityError && err.code === 'identity.wrong_password');

  // Signing in to the account site is an ordinary authorization request of a first-party client; the SSO session
  // it leaves behind is what the account pages read, so the code itself is not needed.
  // `/account/reauthenticate-code` asks for the password and a code from the person's token: what adding or replacing
  // a token needs when they have one (T44).
  for (const [path, prompt, withCode] of [['/account/login', undefined, false], ['/account/signup', 'create', false], ['/account/reauthenticate', 'login', false], ['/account/reauthenticate-code', 'login', true]] as const) {
    app.get(path, async (_req, reply) => {
      const state = randomBytes(16).toString('base64url');
      const url = new URL('/oidc/auth', o.issuer);
      url.search = new URLSearchParams({
        client_id: accountClientId, response_type: 'code', scope: 'openid', redirect_uri: `${o.issuer}/account/callback`, state,
        code_challenge: randomBytes(32).toString('base64url'), code_challenge_method: 'S256', ...(prompt ? { prompt } : {}),
        ...(prompt === 'login' ? { max_age: '0' } : {}), ...(withCode ? { acr_values: acr.mfa } : {}),
      }).toString();
      reply.header('set-cookie', `${stateCookie}=${state}; Path=/account; HttpOnly; SameSite=Lax; Max-Age=3600${o.secureCookies ? '; Secure' : ''}`);
      return reply.redirect(url.toString(), 303);
    });
  }

  app.get<{ Querystring: { state?: string; error?: string } }>('/account/callback', {
    schema: { querystring: { type: 'object', properties: { state: { type: 'string', maxLength: 100 }, error: { type: 'string', maxLength: 100 } } } },
  }, async (req, reply) => {
    const expected = /(?:^|;\s*)tessera_account_state=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (req.query.error || !expected || expected !== req.query.state) return page(reply, 400, messagePage('error.title', 'web.interaction_expired'));
    reply.header('set-cookie', `${stateCookie}=; Path=/account; HttpOnly; SameSite=Lax; Max-Age=0`);
    return reply.redirect('/account', 303);
  });

  app.get('/account', async (req, reply) => {
    const session = await currentSession(req, reply);
    return session ? renderAccount(reply, session) : reply.redirect('/account/login', 303);
  });

  app.post<{ Body: Body }>('/account/password', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    try {
      await withCurrentPassword(req, session, () => o.selfService.changePassword(session.accountId, req.body.current_password, req.body.new_password));
    } catch (err) {
      return renderAccount(reply, session, { errors: [fieldError(err, { password: 'new_password' })], status: statusFor(reply, err) });
    }
    // ASVS V7.4.3 / T24: a new password ends every other session.
    for (const other of await o.sessions.list(session.accountId)) if (other.uid !== session.uid) await o.sessions.end(session.accountId, other.uid);
    return renderAccount(reply, session, { notice: { id: 'account.password_changed' } });
  });

  app.post<{ Body: Body }>('/account/email', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    try {
      const { newEmail } = await withCurrentPassword(req, session, () => o.selfService.startEmailChange(session.accountId, req.body.email_current_password, req.body.new_email));
      return renderAccount(reply, session, { notice: { id: 'account.email_sent', params: { email: newEmail } } });
    } catch (err) {
      return renderAccount(reply, session, { errors: [fieldError(err, { current_password: 'email_current_password', email: 'new_email' })], status: statusFor(reply, err) });
    }
  });

  for (const [path, title] of [['/account/email/confirm', 'account.email_confirm_title'], ['/account/email/undo', 'account.email_undo_title']] as const) {
    // A GET only shows a button, so a mail scanner opening the link changes nothing.
    app.get<{ Querystring: { token?: string } }>(path, { schema: { querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } } },
      async (req, reply) => page(reply, 200, tokenActionPage(title, path, req.query.token ?? '')));
  }

  app.post<{ Body: Body }>('/account/email/confirm', { schema: bodySchema }, async (req, reply) => {
    try {
      const account = await o.selfService.confirmEmailChange(req.body?.token);
      return page(reply, 200, accountNoticePage('account.email_confirm_title', 'account.email_confirmed', { email: account.email ?? '' }));
    } catch (err) {
      return page(reply, 400, messagePage('error.title', fieldError(err).message));
    }
  });

  app.post<{ Body: Body }>('/account/email/undo', { schema: bodySchema }, async (req, reply) => {
    try {
      const account = await o.selfService.undoEmailChange(req.body?.token);
      await o.sessions.endAll(account.id);
      return page(reply, 200, accountNoticePage('account.email_undo_title', 'account.email_undone'));
    } catch (err) {
      return page(reply, 400, messagePage('error.title', fieldError(err).message));
    }
  });

  app.post<{ Body: Body }>('/account/marketing', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    await o.selfService.setMarketing(session.accountId, req.body.subscribed === 'on', 'account');
    return renderAccount(reply, session, { notice: { id: 'account.marketing_saved' } });
  });

  app.post<{ Params: { uid: string }; Body: Body }>('/account/sessions/:uid/end', {
    schema: { ...bodySchema, params: { type: 'object', properties: { uid: { type: 'string', maxLength: 64 } }, required: ['uid'] } },
  }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    await o.sessions.end(session.accountId, req.params.uid);
    if (req.params.uid === session.uid) return reply.redirect('/', 303);
    return renderAccount(reply, session, { notice: { id: 'account.session_ended' } });
  });

  app.post<{ Body: Body }>('/account/sessions/end-all', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    await o.sessions.endAll(session.accountId);
    return page(reply, 200, messagePage('logout.done_title', 'logout.done'));
  });

  app.post<{ Params: { clientId: string }; Body: Body }>('/account/apps/:clientId/revoke', {
    schema: { ...bodySchema, params: { type: 'object', properties: { clientId: { type: 'string', maxLength: 100 } }, required: ['clientId'] } },
  }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    await o.sessions.revokeApp(session.accountId, req.params.clientId);
    return renderAccount(reply, session, { notice: { id: 'account.app_revoked' } });
  });

  // Registering a new OTP app changes a factor: it needs a sign-in of the last minutes (ASVS V7.5.1, T18), and for a
  // person who has a token, a code from it in that sign-in (T44): the password alone registers a first token only.
  // The OTP module enforces the rule; this page only sends the person to the sign-in that gives the proof.
  const recentMs = 10 * 60_000;
  const proofOf = (session: AccountSession): FactorProof | undefined => {
    if (Date.now() - session.loginTs > recentMs) return undefined;
    return session.amr.includes('otp') ? 'second_factor' : 'first_factor';
  };
  async function renderEnrolment(
    reply: FastifyReply, session: AccountSession, proof: FactorProof, enrolmentId?: string, error?: unknown,
  ) {
    const account = await o.accounts.findAccount(session.accountId);
    const label = account?.username ?? account?.email ?? session.accountId;
    const enrolment = (enrolmentId && await o.otp.pendingEnrolment(session.accountId, enrolmentId, label))
      || await o.otp.beginEnrolment(session.accountId, label, 'mobile', { proof });
    const view = {
      action: '/account/otp/confirm', csrf: csrfFor(session.uid), appName: t('account.title'), required: false,
    };
    const { status, body } = await enrolmentAnswer(reply, view, enrolment, error);
    return page(reply, status, body);
  }
  const secondFactorNeeded = (err: unknown) => err instanceof OtpError && err.code === 'otp.second_factor_required';

  app.post<{ Body: Body }>('/account/otp/register', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    const proof = proofOf(session);
    if (!proof) return reply.redirect('/account/reauthenticate', 303);
    try {
      return await renderEnrolment(reply, session, proof);
    } catch (err) {
      if (secondFactorNeeded(err)) return reply.redirect('/account/reauthenticate-code', 303);
      throw err;
    }
  });

  app.post<{ Body: Body }>('/account/otp/confirm', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    const proof = proofOf(session);
    if (!proof) return reply.redirect('/account/reauthenticate', 303);
    const form = enrolmentForm(req.body);
    try {
      const confirmed = await o.otp.confirmEnrolment(
        session.accountId, form.enrolmentId ?? '', form.code, { proof, source: req.ip },
      );
      await o.afterEnrolment(session.accountId, confirmed);
      const serials = confirmed.revoked.map((r) => r.serial).join(', ');
      return renderAccount(reply, session, { notice: serials ? { id: 'account.otp_replaced', params: { serials } } : { id: 'account.otp_registered' } });
    } catch (err) {
      if (secondFactorNeeded(err)) return renderAccount(reply, session, { errors: [{ message: 'otp.second_factor_required' }], status: 403 });
      if (!(err instanceof OtpError)) throw err;
      return renderEnrolment(reply, session, proof, form.enrolmentId, err);
    }
  });

  app.get('/account/export', async (req, reply) => {
    const session = await currentSession(req, reply);
    if (!session) return reply.redirect('/account/login', 303);
    const data = { ...await o.selfService.exportData(session.accountId), sessions: await o.sessions.list(session.accountId), apps: await o.sessions.apps(session.accountId) };
    return reply.header('content-disposition', 'attachment; filename="account.json"').header('cache-control', 'no-store').type('application/json').send(JSON.stringify(data, null, 2));
  });

  app.post<{ Body: Body }>('/account/delete', { schema: bodySchema }, async (req, reply) => {
    const session = await authorized(req, reply);
    if (!session) return;
    try {
      await withCurrentPassword(req, session, () => o.selfService.reauthenticate(session.accountId, req.body.delete_current_password));
    } catch (err) {
      return renderAccount(reply, session, { errors: [fieldError(err, { current_password: 'delete_current_password' })], status: statusFor(reply, err) });
    }
    // Sessions end (with back-channel logout to the apps) before the account row goes.
    await o.sessions.endAll(session.accountId);
    await o.selfService.deleteAccount(session.accountId, req.body.delete_current_password);
    return page(reply, 200, messagePage('account.delete', 'account.deleted'));
  });
}
