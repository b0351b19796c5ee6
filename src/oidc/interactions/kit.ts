// The steps every interaction route is built from (as node-oidc-provider builds each endpoint from small checks):
// load the interaction this browser holds, check the form's CSRF token, map a failure to the page's error, finish
// the OIDC login once the sign-in flow is done.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Account, AccountService } from '../../identity/index.ts';
import type { Limit, RateLimiter } from '../../ratelimit/index.ts';
import type { FirstFactor, SignedIn, SignIn } from '../../signin/index.ts';
import {
  answerStatus,
  formError,
  messagePage,
  type Csrf,
  type DeviceCookies,
  type FieldError,
  type FormContext,
  type SocialWeb,
} from '../../web/index.ts';
import { acr } from '../../signin/index.ts';
import { currentLocale } from '../../i18n/index.ts';

export interface InteractionOptions {
  provider: Provider;
  accounts: AccountService;
  /** Present when a directory is configured: the sign-in page then takes directory names too. */
  workforce: boolean;
  /** The first factor (src/signin): directory name or customer e-mail, counted under the sign-in limits. */
  firstFactor: FirstFactor;
  /** Named in the message for an expired directory password. */
  passwordChangeUrl?: string;
  csrf: Csrf;
  passwordMinLength: number;
  onSignIn?: (outcome: 'success' | 'failure') => void;
  signIn: SignIn;
  limiter: RateLimiter;
  limits: { signInPerSource: Limit; signUpPerSource: Limit; mailPerSource: Limit };
  devices: DeviceCookies;
  /** Sign in with Google, Facebook or Microsoft, when any is configured (src/social). */
  social?: SocialWeb;
}

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
export type UidRequest = FastifyRequest<{ Params: { uid: string }; Body: Record<string, string> }>;
export type UidRoute = { Params: { uid: string }; Body: Record<string, string> };

const text = { type: 'string', maxLength: 1024 } as const;
// Above the password policy's 1,024 characters, so a longer password reaches the domain and gets its "too long".
const passwordText = { type: 'string', maxLength: 4096 } as const;
export const uidParams = {
  type: 'object',
  properties: { uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  required: ['uid'],
} as const;
export const formSchema = {
  params: uidParams,
  body: {
    type: 'object',
    properties: {
      csrf: text,
      email: text,
      password: passwordText,
      name: text,
      code: text,
      verification: text,
      marketing: text,
      enrolment: text,
    },
    required: ['csrf'],
  },
} as const;

export const sendHtml = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

// What provider.interactionFinished(…, { mergeWithLastSubmission: false }) does, on the interaction this request
// already loaded and checked (cookie, uid, session): finishing costs no second cookie check and no second read.
async function finish(details: Details, reply: FastifyReply, result: Record<string, unknown>) {
  details.result = result;
  await details.persist();
  reply.hijack();
  reply.raw.writeHead(303, { location: details.returnTo, 'content-length': '0' });
  reply.raw.end();
}

/** The interaction of this request's uid, if this browser holds it; else the expired page. */
async function loadInteraction(provider: Provider, req: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
  try {
    // interactionDetails checks the interaction cookie: a uid (and the flow behind it) is only this browser's.
    const details = await provider.interactionDetails(req.raw, reply.raw);
    if (details.uid !== req.params.uid) throw new Error('interaction mismatch');
    return details;
  } catch {
    sendHtml(reply, 400, messagePage('error.title', 'web.interaction_expired'));
    return undefined;
  }
}

export function createInteractionKit(o: InteractionOptions) {
  const { provider } = o;
  const csrfFor = (uid: string) => o.csrf.token(`interaction:${uid}`);
  const appId = (details: Details) => String(details.params.client_id);

  /** A failure as the page shows it, and the status to answer with (the route's own unless the error has one). */
  function failure(reply: FastifyReply, err: unknown, otherwise: number): { error: FieldError; status: number } {
    const answer = formError(err, { passwordChangeUrl: o.passwordChangeUrl });
    return { error: answer, status: answerStatus(reply, answer, otherwise) };
  }

  const load = (req: UidRequest, reply: FastifyReply) => loadInteraction(provider, req, reply);

  async function loadForPost(req: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
    if (!o.csrf.valid(`interaction:${req.params.uid}`, req.body?.csrf)) {
      sendHtml(reply, 403, messagePage('error.title', 'web.csrf'));
      return undefined;
    }
    return load(req, reply);
  }

  // The OIDC login, once the sign-in flow is done. A step-up of a session whose person put off registering keeps the
  // session as it was (its sign-in time too: putting off is no new sign-in).
  async function finishSignIn(details: Details, reply: FastifyReply, signedIn: SignedIn) {
    o.onSignIn?.('success');
    const locale = currentLocale();
    if (locale) await o.accounts.rememberLocale(signedIn.accountId, locale);
    const declined = signedIn.declinedEnrolment ? { otp: { declined: true } } : {};
    if (signedIn.declinedEnrolment && details.prompt.name === 'otp') return finish(details, reply, declined);
    // RFC 8176: password and one-time code make `mfa`.
    const mfa = signedIn.amr.includes('mfa');
    const login = { accountId: signedIn.accountId, amr: signedIn.amr, acr: mfa ? acr.mfa : acr.password };
    // `create`: a sign-up asked for with prompt=create is answered by this login too.
    await finish(details, reply, { login, create: {}, ...declined });
  }

  const requestedMfa = (details: Details) =>
    String(details.params.acr_values ?? '')
      .split(' ')
      .includes(acr.mfa);

  /**
   * After the first factor: done at once, or on to the second-factor page of the flow it started (by redirect, so
   * that reloading that page never sends the password again).
   */
  async function afterFirstFactor(details: Details, reply: FastifyReply, account: Account, amr = ['pwd']) {
    const outcome = await o.signIn.afterFirstFactor({
      handle: details.uid,
      appId: appId(details),
      accountId: account.id,
      amr,
      groups: account.groups,
      requestedMfa: requestedMfa(details),
    });
    if ('done' in outcome) return finishSignIn(details, reply, outcome.done);
    return reply.redirect(`/interaction/${details.uid}`, 303);
  }

  function formContext(uid: string, extra: Partial<FormContext> = {}): FormContext {
    return {
      action: `/interaction/${uid}/login`,
      csrf: csrfFor(uid),
      links: {
        signIn: `/interaction/${uid}`,
        signUp: `/interaction/${uid}/signup`,
        cancel: `/interaction/${uid}/abort`,
        reset: '/reset-password',
      },
      passwordMinLength: o.passwordMinLength,
      workforce: o.workforce,
      social: o.social?.service
        .names()
        .map((provider) => ({ provider, action: `/interaction/${uid}/social/${provider}` })),
      ...extra,
    };
  }

  async function appName(details: Details): Promise<string> {
    const client = await provider.Client.find(appId(details));
    return client?.clientName ?? client?.clientId ?? '';
  }

  return {
    options: o,
    csrfFor,
    appId,
    requestedMfa,
    failure,
    load,
    loadForPost,
    finish,
    finishSignIn,
    afterFirstFactor,
    formContext,
    appName,
  };
}

export type InteractionKit = ReturnType<typeof createInteractionKit>;
