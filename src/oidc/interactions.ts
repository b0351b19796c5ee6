// The pages oidc-provider hands the browser to: sign-in, sign-up with e-mail confirmation, the second factor,
// consent. A thin adapter over src/signin: each route is a short list of steps (loadInteraction → checkCsrf → act →
// finish or render), and the OIDC login is finished only once the sign-in flow is done, so a person who passed the
// password but not the code their flow asked for holds no SSO session anywhere (T44).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import QRCode from 'qrcode';
import { IdentityError, countsAsFailedSignIn, type AccountService, type Account, type WorkforceService } from '../identity/index.ts';
import { isMessageId } from '../web/i18n/index.ts';
import { consentPage, messagePage, signInPage, signUpPage, verifyPage, type FormContext } from '../web/pages/account-pages.ts';
import type { FieldError } from '../web/forms.ts';
import { OtpError } from '../otp/index.ts';
import { SignInError, type SignedIn, type SignIn, type SignInFlow } from '../signin/index.ts';
import { otpCodePage, otpEnrolPage } from '../web/pages/otp-pages.ts';
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
  signIn: SignIn;
  limiter: RateLimiter;
  limits: { signInPerSource: Limit; signUpPerSource: Limit; mailPerSource: Limit };
  /** How password attempts are counted (the same rule as the VPN's and the reset page's). */
  signInRules: AttemptRules;
  devices: DeviceCookies;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type UidRequest = FastifyRequest<{ Params: { uid: string }; Body: Record<string, string> }>;

const text = { type: 'string', maxLength: 1024 } as const;
// Above the password policy's 1,024 characters, so a longer password reaches the domain and gets its "too long".
const passwordText = { type: 'string', maxLength: 4096 } as const;
const formSchema = {
  params: { type: 'object', properties: { uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }, required: ['uid'] },
  body: {
    type: 'object',
    properties: { csrf: text, email: text, password: passwordText, name: text, code: text, verification: text, marketing: text, enrolment: text },
    required: ['csrf'],
  },
} as const;

// Typed errors from identity, OTP, the sign-in flow and the directory carry a stable code that is also the message id.
function toFieldError(err: unknown, minLength: number, passwordChangeUrl: string | undefined): FieldError {
  if (err instanceof IdentityError) return { field: err.field, message: err.code, params: { min: minLength, max: 1024, ...err.params } };
  if (err instanceof OtpError) return { field: 'code', message: err.code, params: { seconds: err.retryAfterSeconds ?? 0 } };
  if (err instanceof SignInError) return { message: err.code };
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

/** Seconds to wait, when the error is a throttle: answered 429 with Retry-After, so browsers and scripts know when to come back. */
const throttledFor = (err: unknown): number | undefined =>
  err instanceof RateLimitedError ? err.retryAfterSeconds : err instanceof IdentityError && err.code === 'identity.too_many_attempts' ? err.retryAfterSeconds : undefined;

export function registerInteractions(app: FastifyInstance, o: InteractionOptions): void {
  const { provider, accounts } = o;
  const csrfFor = (uid: string) => o.csrf.token(`interaction:${uid}`);
  const fieldError = (err: unknown) => toFieldError(err, o.passwordMinLength, o.passwordChangeUrl);
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);
  const statusFor = (reply: FastifyReply, err: unknown, otherwise: number) => {
    const seconds = throttledFor(err);
    if (seconds === undefined) return otherwise;
    reply.header('retry-after', String(seconds));
    return 429;
  };
  const requestedMfa = (details: Details) => String(details.params.acr_values ?? '').split(' ').includes(acr.mfa);
  const appId = (details: Details) => String(details.params.client_id);

  async function load(req: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
    try {
      // interactionDetails checks the interaction cookie: a uid (and the flow behind it) is only this browser's.
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

  // The OIDC login, once the sign-in flow is done. A step-up of a session whose person put off registering keeps the
  // session as it was (its sign-in time too: putting off is no new sign-in).
  async function finishSignIn(details: Details, reply: FastifyReply, signedIn: SignedIn) {
    o.onSignIn?.('success');
    const declined = signedIn.declinedEnrolment ? { otp: { declined: true } } : {};
    if (signedIn.declinedEnrolment && details.prompt.name === 'otp') return finish(details, reply, declined);
    // RFC 8176: password and one-time code make `mfa`.
    const login = { accountId: signedIn.accountId, amr: signedIn.amr, acr: signedIn.amr.includes('mfa') ? acr.mfa : acr.password };
    // `create`: a sign-up asked for with prompt=create is answered by this login too.
    await finish(details, reply, { login, create: {}, ...declined });
  }

  /**
   * After the first factor: done at once, or on to the second-factor page of the flow it started (by redirect, so that
   * reloading that page never sends the password again).
   */
  async function afterFirstFactor(details: Details, reply: FastifyReply, account: Account) {
    const outcome = await o.signIn.afterFirstFactor({
      handle: details.uid, appId: appId(details), accountId: account.id, amr: ['pwd'], groups: account.groups, requestedMfa: requestedMfa(details),
    });
    if ('done' in outcome) return finishSignIn(details, reply, outcome.done);
    return reply.redirect(`/interaction/${details.uid}`, 303);
  }

  function context(uid: string, extra: Partial<FormContext> = {}): FormContext {
    return {
      action: `/interaction/${uid}/login`, csrf: csrfFor(uid),
      links: { signIn: `/interaction/${uid}`, signUp: `/interaction/${uid}/signup`, cancel: `/interaction/${uid}/abort`, reset: '/reset-password' },
      passwordMinLength: o.passwordMinLength, workforce: o.workforce !== undefined, ...extra,
    };
  }

  async function appName(details: Details): Promise<string> {
    const client = await provider.Client.find(appId(details));
    return client?.clientName ?? client?.clientId ?? '';
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
    if (details.prompt.name === 'consent') {
      const client = await provider.Client.find(appId(details));
      const metadata: Record<string, unknown> = client?.metadata() ?? {};
      return html(reply, 200, consentPage({
        action: `/interaction/${uid}/consent`, denyAction: `/interaction/${uid}/abort`, csrf: csrfFor(uid), appName: await appName(details),
        logoUri: metadata.logo_uri as string | undefined, policyUri: metadata.policy_uri as string | undefined, tosUri: metadata.tos_uri as string | undefined,
        scopes: String(details.params.scope ?? '').split(' '),
      }));
    }
    // A sign-in waiting for its second factor (the page reloaded), or a signed-in person at an app that asks for
    // more than their session holds (step-up): the first factor is the session's.
    const waiting = await o.signIn.find(uid);
    if (waiting) return showSecondFactor(reply, details, waiting);
    if (details.prompt.name === 'otp' && details.session) {
      const session = details.session as typeof details.session & { amr?: string[] };
      const outcome = await o.signIn.afterFirstFactor({
        handle: uid, appId: appId(details), accountId: session.accountId, amr: session.amr ?? ['pwd'], requestedMfa: requestedMfa(details),
      });
      return 'done' in outcome ? finish(details, reply, { otp: {} }) : showSecondFactor(reply, details, outcome.flow);
    }
    const confirmed = await accounts.accountConfirmedInInteraction(uid);
    if (confirmed) return afterFirstFactor(details, reply, confirmed);
    const name = await appName(details);
    if (details.prompt.name === 'create') return html(reply, 200, signUpPage(context(uid, { action: `/interaction/${uid}/signup`, appName: name })));
    return html(reply, 200, signInPage(context(uid, { appName: name, values: { email: String(details.params.login_hint ?? '') } })));
  });

  // The code step: a person with a token types its code; a person without one registers the app first (QR), and the
  // first code of the new token is the code of this sign-in.
  async function showSecondFactor(reply: FastifyReply, details: Details, flow: SignInFlow, error?: unknown, enrolmentId?: string) {
    const errors = error === undefined ? undefined : [fieldError(error)];
    const actions = { action: `/interaction/${details.uid}/otp`, csrf: csrfFor(details.uid), appName: await appName(details), errors };
    const status = error === undefined ? 200 : statusFor(reply, error, 400);
    if (flow.step === 'code') return html(reply, status, otpCodePage(actions));
    let enrolment;
    try {
      enrolment = await o.signIn.enrolment(flow, enrolmentId);
    } catch (err) {
      // The person registered a token elsewhere since this sign-in began: its code is what this step now needs.
      if (!(err instanceof OtpError)) throw err;
      return html(reply, 400, otpCodePage({ ...actions, errors: [fieldError(err)] }));
    }
    return html(reply, status, otpEnrolPage({
      ...actions, required: !flow.optional, enrolmentId: enrolment.tokenId, key: enrolment.secretBase32,
      qrSvg: await QRCode.toString(enrolment.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      laterAction: flow.optional ? `/interaction/${details.uid}/otp-later` : undefined,
    }));
  }

  /** The flow this interaction is waiting on, or the expired page. */
  async function loadFlow(details: Details, reply: FastifyReply): Promise<SignInFlow | undefined> {
    const flow = await o.signIn.find(details.uid);
    if (!flow) html(reply, 400, messagePage('error.title', 'signin.flow_expired'));
    return flow;
  }

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/otp', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    const flow = details && await loadFlow(details, reply);
    if (!details || !flow) return;
    const enrolment = req.body.enrolment ? String(req.body.enrolment) : undefined;
    let signedIn: SignedIn;
    try {
      await o.limiter.check([{ key: sourceKey('otp', req.ip), rule: o.limits.signInPerSource }]);
      signedIn = enrolment
        ? await o.signIn.confirmEnrolment(flow, enrolment, req.body.code, req.ip)
        : await o.signIn.submitCode(flow, req.body.code, req.ip);
    } catch (err) {
      return showSecondFactor(reply, details, flow, err, enrolment);
    }
    await finishSignIn(details, reply, signedIn);
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/otp-later', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    const flow = details && await loadFlow(details, reply);
    if (!details || !flow) return;
    try {
      // The flow says whether this sign-in may go on without the code: never when the app's policy or the request
      // (acr_values) asked for it, whatever the page showed (T44).
      await finishSignIn(details, reply, await o.signIn.putOffEnrolment(flow));
    } catch (err) {
      if (!(err instanceof SignInError)) throw err;
      return showSecondFactor(reply, details, flow, err);
    }
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
    let account: Account;
    try {
      account = await o.limiter.limitFailures(signInLimits, async () => (o.workforce?.isDirectoryName(name)
        ? o.workforce.signIn(name, String(req.body.password ?? ''))
        : accounts.authenticate(req.body.email, req.body.password)), countsAsFailedSignIn);
      if (account.kind === 'customer' && !account.emailVerified) {
        // The right password on an unconfirmed address: the confirmation step, never a sign-in. Mail it may send is
        // limited per source here and per account in the identity module.
        await o.limiter.check([{ key: sourceKey('mail', req.ip), rule: o.limits.mailPerSource }]);
        const pending = await accounts.restartVerification(account, details.uid);
        return html(reply, 200, verifyPage({ ...verifyActions(details.uid), verificationId: pending.verificationId, email: pending.email, notice: 'identity.email_not_verified' }));
      }
    } catch (err) {
      o.onSignIn?.('failure');
      const status = statusFor(reply, err, (err as { code?: string }).code === 'directory.unreachable' ? 503 : 401);
      return html(reply, status, signInPage(context(details.uid, { appName: await appName(details), errors: [fieldError(err)], values: { email: req.body.email ?? '' } })));
    }
    // The right password earns this browser its device cookie for the account, under each of its names (never for an
    // address not confirmed yet: it may not be the person's).
    reply.raw.appendHeader('set-cookie', o.devices.issue(req.headers.cookie, [name, account.email, account.username]));
    return afterFirstFactor(details, reply, account);
  });

  const verifyActions = (uid: string) => ({ action: `/interaction/${uid}/verify`, resendAction: `/interaction/${uid}/resend`, csrf: csrfFor(uid) });
  // Every answer of the confirmation step reads the same for a new address and a taken one (T46): the verification
  // id on the page is a decoy's for a taken address, and the address shown is the one typed.
  const verifyAgain = (reply: FastifyReply, uid: string, body: Record<string, string>, status: number, extra: { errors?: FieldError[]; notice?: 'verify.resent'; verificationId?: string } = {}) =>
    html(reply, status, verifyPage({ ...verifyActions(uid), verificationId: extra.verificationId ?? String(body.verification ?? ''), email: String(body.email ?? ''), errors: extra.errors, notice: extra.notice }));

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/signup', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    try {
      await o.limiter.check([{ key: sourceKey('signup', req.ip), rule: o.limits.signUpPerSource }]);
      const pending = await accounts.signUp({ email: req.body.email, password: req.body.password, name: req.body.name, interactionUid: details.uid, marketingOptIn: req.body.marketing === 'on' });
      return html(reply, 200, verifyPage({ ...verifyActions(details.uid), verificationId: pending.verificationId, email: pending.email }));
    } catch (err) {
      return html(reply, statusFor(reply, err, 400), signUpPage(context(details.uid, {
        action: `/interaction/${details.uid}/signup`, appName: await appName(details),
        errors: [fieldError(err)], values: { email: req.body.email ?? '', name: req.body.name ?? '' },
      })));
    }
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/verify', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    let account: Account;
    try {
      account = await accounts.confirmByCode(String(req.body.verification ?? ''), req.body.code);
    } catch (err) {
      return verifyAgain(reply, details.uid, req.body, statusFor(reply, err, 400), { errors: [fieldError(err)] });
    }
    return afterFirstFactor(details, reply, account);
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> }>('/interaction/:uid/resend', { schema: formSchema }, async (req, reply) => {
    const details = await loadForPost(req, reply);
    if (!details) return;
    try {
      await o.limiter.check([{ key: sourceKey('mail', req.ip), rule: o.limits.mailPerSource }]);
      const pending = await accounts.resendVerification(String(req.body.verification ?? ''));
      return verifyAgain(reply, details.uid, req.body, 200, { notice: 'verify.resent', verificationId: pending?.verificationId });
    } catch (err) {
      return verifyAgain(reply, details.uid, req.body, statusFor(reply, err, 400), { errors: [fieldError(err)] });
    }
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
