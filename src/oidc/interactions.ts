// The pages oidc-provider hands the browser to: sign-in, sign-up with e-mail confirmation, consent.
// Each route is a short list of steps: loadInteraction → checkCsrf → act → finish or render.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { IdentityError, countsAsFailedSignIn, type AccountService, type Account, type WorkforceService } from '../identity/index.ts';
import { isMessageId } from '../web/i18n/index.ts';
import { consentPage, messagePage, signInPage, signUpPage, verifyPage, type FormContext } from '../web/pages/account-pages.ts';
import type { FieldError } from '../web/forms.ts';
import { OtpError, type Confirmed, type OtpService } from '../otp/index.ts';
import { otpCodePage, otpEnrolPage } from '../web/pages/otp-pages.ts';
import QRCode from 'qrcode';
import { acr } from './provider.ts';
import { attemptLimits, RateLimitedError, sourceKey, type AttemptRules, type Limit, type RateLimiter } from '../ratelimit/index.ts';
import type { Csrf } from '../web/csrf.ts';
import type { DeviceCookies } from '../web/device-cookie.ts';

export interface InteractionOptions {
  provider: Provider;
  accounts: AccountService;
  /** Present when a directory is configured: directory names sign in against it. */
  workforce?: WorkforceService;
  /** Named in the message for an expired directory password. */
  passwordChangeUrl?: string;
  csrf: Csrf;
  passwordMinLength: number;
  onSignIn?: (outcome: 'success' | 'failure') => void;
  otp: OtpService;
  afterEnrolment(accountId: string, confirmed: Confirmed): Promise<void>;
  limiter: RateLimiter;
  limits: { signInPerSource: Limit; signUpPerSource: Limit; mailPerSource: Limit };
  /** How password attempts are counted (the same rule as the VPN's and the reset page's). */
  signInRules: AttemptRules;
  devices: DeviceCookies;
  secondFactor(clientId: string, accountId: string): Promise<{ askCode: boolean; mustEnrol: boolean; suggestEnrol: boolean }>;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type UidRequest = FastifyRequest<{ Params: { uid: string }; Body: Record<string, string> }>;

const text = { type: 'string', maxLength: 1024 } as const;
const formSchema = {
  params: { type: 'object', properties: { uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }, required: ['uid'] },
  body: {
    type: 'object',
    properties: { csrf: text, email: text, password: text, name: text, code: text, verification: text, marketing: text, enrolment: text },
    required: ['csrf'],
  },
} as const;

// Typed errors from identity and the directory carry a stable code that is also the message id.
function toFieldError(err: unknown, minLength: number, passwordChangeUrl: string | undefined): FieldError {
  if (err instanceof IdentityError) return { field: err.field, message: err.code, params: { min: minLength, max: 1024 } };
  if (err instanceof OtpError) return { field: 'code', message: err.code, params: { seconds: err.retryAfterSeconds ?? 0 } };
  if (err instanceof RateLimitedError) return { message: 'web.rate_limited', params: { seconds: err.retryAfterSeconds } };
  const code = (err as { code?: unknown }).code;
  if (code === 'directory.password_expired' && passwordChangeUrl !== undefined) {
    return { field: 'password', message: 'directory.password_expired_at', params: { url: passwordChangeUrl } };
  }
  if (typeof code === 'string' && code.startsWith('directory.') && isMessageId(code)) {
    return { field: code === 'directory.invalid_name' ? 'email' : code === 'directory.unreachable' || code === 'directory.misconfigured' ? undefined : 'password', message: code };
  }
  throw err;
}

export function registerInteractions(app: FastifyInstance, o: InteractionOptions): void {
  const { provider, accounts } = o;
  const csrfFor = (uid: string) => o.csrf.token(`interaction:${uid}`);
  const fieldError = (err: unknown) => toFieldError(err, o.passwordMinLength, o.passwordChangeUrl);
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);
  // A throttled attempt is answered 429 with Retry-After, so browsers and scripts alike know when to come back.
  const statusFor = (err: unknown, otherwise: number) => (err instanceof RateLimitedError ? 429 : otherwise);
  const retryAfter = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterSeconds));
  };

  async function load(req: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
    try {
      const details = await provider.interactionDetails(req.raw, reply.raw);
      if (details.uid !== req.params.uid) throw new Error('interaction mismatch');
      return details;
    } catch {
      html(reply, 400, messagePage('error.title', 'web.interaction_expired'));
      return undefined;
    }
  }

  async function loadForPost(req: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
    if (!o.csrf.valid(`interaction:${req.params.uid}`, req.body?.csrf)) {
      html(reply, 403, messagePage('error.title', 'web.csrf'));
      return undefined;
    }
    return load(req, reply);
  }

  // What provider.interactionFinished(…, { mergeWithLastSubmission: false }) does, on the interaction this request
  // already loaded and checked (cookie, uid, session): finishing costs no second cookie check and no second read.
  async function finish(details: Details, reply: FastifyReply, result: Record<string, unknown>) {
    details.result = result;
    await details.persist();
    reply.hijack();
    reply.raw.writeHead(303, { location: details.returnTo, 'content-length': '0' });
    reply.raw.end();
  }

  async function signIn(details: Details, reply: FastifyReply, account: Account, amr: string[] = ['pwd']) {
    o.onSignIn?.('success');
    await finish(details, reply, { login: { accountId: account.id, amr, acr: acr.password }, create: {} });
  }

  function context(uid: string, extra: Partial<FormContext> = {}): FormContext {
    return {
      action: `/interaction/${uid}/login`, csrf: csrfFor(uid),
      links: { signIn: `/interaction/${uid}`, signUp: `/interaction/${uid}/signup`, cancel: `/interaction/${uid}/abort`, reset: '/reset-password' },
      passwordMinLength: o.passwordMinLength, workforce: o.workforce !== undefined, ...extra,
    };
  }

  async function appName(details: Details): Promise<string | undefined> {
    const client = await provider.Client.find(String(details.params.client_id));
    return client?.clientName ?? client?.clientId;
  }

  app.get<{ Params: { uid: string }; Querystring: { confirmed?: string } }>('/interaction/:uid', { schema: { params: formSchema.params } }, async (req, reply) => {
    let details: Details;
    try {
      details = await provider.interactionDetails(req.raw, reply.raw);
    } catch {
      // Confirmed by link in another browser: the account is ready, only this browser's sign-in page is gone.
      return req.query.confirmed ? html(reply, 200, messagePage('verify.done_title', 'verify.done')) : html(reply, 400, messagePage('error.title', 'web.interaction_expired'));
    }
    const uid = details.uid;
    const name = await appName(details);
    if (details.prompt.name === 'consent') {
      const client = await provider.Client.find(String(details.params.client_id));
      const metadata: Record<string, unknown> = client?.metadata() ?? {};
      return html(reply, 200, consentPage({
        action: `/interaction/${uid}/consent`, denyAction: `/interaction/${uid}/abort`, csrf: csrfFor(uid), appName: name ?? '',
        logoUri: metadata.logo_uri as string | undefined, policyUri: metadata.policy_uri as string | undefined, tosUri: metadata.tos_uri as string | undefined,
        scopes: String(details.params.scope ?? '').split(' '),
      }));
    }
    if (details.prompt.name === 'otp') return showSecondFactor(reply, details, name ?? '');
    const confirmed = await accounts.accountConfirmedInInteraction(uid);
    if (confirmed) return signIn(details, reply, confirmed);
    if (details.prompt.name === 'create') return html(reply, 200, signUpPage(context(uid, { action: `/interaction/${uid}/signup`, appName: name })));
    return html(reply, 200, signInPage(context(uid, { appName: name, values: { email: String(details.params.login_hint ?? '') } })));
  });

  // The code step: a person with a token types its code; a person without one registers the app first (QR), and the
  // first code of the new token is the code of this sign-in.
  async function showSecondFactor(reply: FastifyReply, details: Details, appName: string, errors?: FieldError[], enrolmentId?: string) {
    const accountId = details.session!.accountId;
    const decision = await o.secondFactor(String(details.params.client_id), accountId);
    const actions = { action: `/interaction/${details.uid}/otp`, csrf: csrfFor(details.uid), appName, errors };
    if (await o.otp.hasActiveToken(accountId)) return html(reply, errors ? 400 : 200, otpCodePage(actions));
    const account = await accounts.findAccount(accountId);
    const label = account?.username ?? account?.email ?? accountId;
    const enrolment = (enrolmentId && await o.otp.pendingEnrolment(accountId, enrolmentId, label)) || await o.otp.beginEnrolment(accountId, label, 'mobile');
    const optional = decision.suggestEnrol && !String(details.params.acr_values ?? '').includes(acr.mfa);
    return html(reply, errors ? 400 : 200, otpEnrolPage({
      ...actions, required: !optional, enrolmentId: enrolment.tokenId, key: enrolment.secretBase32,
      qrSvg: await QRCode.toString(enrolment.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      laterAction: optional ? `/interaction/${details.uid}/otp-later` : undefined,
    }));
  }

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/otp', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    if (details.prompt.name !== 'otp' || !details.session) return html(reply, 400, messagePage('error.title', 'web.bad_request'));
    const accountId = details.session.accountId;
    const enrolment = req.body.enrolment ? String(req.body.enrolment) : undefined;
    try {
      await o.limiter.check([{ key: sourceKey('otp', req.ip), rule: o.limits.signInPerSource }]);
      if (enrolment) await o.afterEnrolment(accountId, await o.otp.confirmEnrolment(accountId, enrolment, req.body.code));
      else await o.otp.validate(accountId, req.body.code);
    } catch (err) {
      retryAfter(reply, err);
      return showSecondFactor(reply, details, await appName(details) ?? '', [fieldError(err)], enrolment);
    }
    // RFC 8176: password and one-time code, so multi-factor.
    await finish(details, reply, { login: { accountId, amr: ['pwd', 'otp', 'mfa'], acr: acr.mfa }, otp: {} });
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/otp-later', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    const decision = details.session && details.prompt.name === 'otp' ? await o.secondFactor(String(details.params.client_id), details.session.accountId) : undefined;
    if (!decision?.suggestEnrol) return html(reply, 400, messagePage('error.title', 'web.bad_request'));
    await finish(details, reply, { otp: { declined: true } });
  });

  app.get<{ Params: { uid: string } }>('/interaction/:uid/signup', { schema: { params: formSchema.params } }, async (req, reply) => {
    const details = await load(req as UidRequest, reply);
    if (!details) return;
    return html(reply, 200, signUpPage(context(details.uid, { action: `/interaction/${details.uid}/signup`, appName: await appName(details) })));
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/login', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    const name = String(req.body.email ?? '');
    // Failed sign-ins count toward the limits (src/ratelimit/attempt-limits.ts: this browser's device cookie, or the
    // account from this address, this address, the account); a successful one costs nothing.
    const signInLimits = attemptLimits({ action: 'signin', account: name, source: { ip: req.ip }, device: o.devices.deviceFor(req.headers.cookie, name) }, o.signInRules);
    // A sign-in earns the browser its device cookie for the account, under each of its names (not an address that
    // is not confirmed yet: it may not be the person's).
    const remember = (account: Account) => {
      reply.raw.appendHeader('set-cookie', o.devices.issue(req.headers.cookie, [name, account.email, account.username]));
      return account;
    };
    try {
      return await o.limiter.limitFailures(signInLimits, async () => {
        if (o.workforce?.isDirectoryName(name)) {
          return signIn(details, reply, remember(await o.workforce.signIn(name, String(req.body.password ?? ''))), ['pwd']);
        }
        const account = await accounts.authenticate(req.body.email, req.body.password);
        if (!account.emailVerified) {
          const pending = await accounts.restartVerification(account, details.uid);
          return html(reply, 200, verifyPage({ ...verifyActions(details.uid), verificationId: pending.verificationId, email: pending.email, notice: 'identity.email_not_verified' }));
        }
        return signIn(details, reply, remember(account));
      }, countsAsFailedSignIn);
    } catch (err) {
      o.onSignIn?.('failure');
      retryAfter(reply, err);
      const status = statusFor(err, (err as { code?: string }).code === 'directory.unreachable' ? 503 : 401);
      return html(reply, status, signInPage(context(details.uid, { appName: await appName(details), errors: [fieldError(err)], values: { email: req.body.email ?? '' } })));
    }
  });

  const verifyActions = (uid: string) => ({ action: `/interaction/${uid}/verify`, resendAction: `/interaction/${uid}/resend`, csrf: csrfFor(uid) });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/signup', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    try {
      await o.limiter.check([{ key: sourceKey('signup', req.ip), rule: o.limits.signUpPerSource }]);
      const pending = await accounts.signUp({ email: req.body.email, password: req.body.password, name: req.body.name, interactionUid: details.uid, marketingOptIn: req.body.marketing === 'on' });
      return html(reply, 200, verifyPage({ ...verifyActions(details.uid), verificationId: pending.verificationId, email: pending.email }));
    } catch (err) {
      retryAfter(reply, err);
      return html(reply, statusFor(err, 400), signUpPage(context(details.uid, {
        action: `/interaction/${details.uid}/signup`, appName: await appName(details),
        errors: [fieldError(err)], values: { email: req.body.email ?? '', name: req.body.name ?? '' },
      })));
    }
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/verify', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    const verificationId = String(req.body.verification ?? '');
    try {
      return signIn(details, reply, await accounts.confirmByCode(verificationId, req.body.code));
    } catch (err) {
      return html(reply, 400, verifyPage({ ...verifyActions(details.uid), verificationId, email: String(req.body.email ?? ''), errors: [fieldError(err)] }));
    }
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/resend', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    try {
      await o.limiter.check([{ key: sourceKey('mail', req.ip), rule: o.limits.mailPerSource }]);
    } catch (err) {
      retryAfter(reply, err);
      return html(reply, statusFor(err, 400), verifyPage({ ...verifyActions(details.uid), verificationId: String(req.body.verification ?? ''), email: String(req.body.email ?? ''), errors: [fieldError(err)] }));
    }
    const pending = await accounts.resendVerification(String(req.body.verification ?? ''));
    return html(reply, 200, verifyPage({
      ...verifyActions(details.uid), verificationId: pending?.verificationId ?? String(req.body.verification ?? ''),
      email: pending?.email ?? '', notice: 'verify.resent',
    }));
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/consent', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    const { prompt, params, session, grantId } = details;
    if (prompt.name !== 'consent' || !session) return html(reply, 400, messagePage('error.title', 'web.bad_request'));
    const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    if (!grant) return html(reply, 400, messagePage('error.title', 'web.interaction_expired'));
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    await finish(details, reply, { consent: { grantId: await grant.save() } });
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/abort', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    await finish(details, reply, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' });
  });
}
