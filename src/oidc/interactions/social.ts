// Sign in with Google, Facebook or Microsoft (src/social) as a first factor of the sign-in flow: the button starts
// the trip (CSRF, a cookie binding it to this browser), the provider's callback is checked, and the interaction then
// goes on as after a password: the OTP policy still decides the second factor (src/signin).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SocialError, type Social, type SocialOutcome } from '../../social/index.ts';
import { sourceKey } from '../../ratelimit/index.ts';
import {
  messagePage,
  readCookie,
  socialCookie,
  socialConfirmPage,
  socialFailure,
  socialProvePage,
  startTrip,
  type FieldError,
} from '../../web/index.ts';
import {
  formSchema,
  sendHtml,
  uidParams,
  type Details,
  type InteractionKit,
  type UidRequest,
  type UidRoute,
} from './kit.ts';

const providerParam = { type: 'string', pattern: '^[a-z]{1,32}$' } as const;
const withProvider = {
  ...formSchema,
  params: {
    type: 'object',
    properties: { ...uidParams.properties, provider: providerParam },
    required: ['uid', 'provider'],
  },
} as const;
// RFC 8176 lists no value for a sign-in at another identity provider; `fed` says federated, as several IdPs do.
export const federatedAmr = ['fed'];

export function registerSocial(app: FastifyInstance, kit: InteractionKit): void {
  const social = kit.options.social;
  if (!social) return;

  app.post<UidRoute & { Params: { provider: string } }>(
    '/interaction/:uid/social/:provider',
    { schema: withProvider },
    async (req, reply) => {
      const details = await kit.loadForPost(req as UidRequest, reply);
      if (!details) return;
      const { provider } = req.params;
      return startTrip(reply, social, { provider, purpose: 'signin', handle: details.uid, ip: req.ip });
    },
  );

  app.get<{ Params: { provider: string } }>(
    '/social/:provider/callback',
    { schema: { params: { type: 'object', properties: { provider: providerParam }, required: ['provider'] } } },
    async (req, reply) => {
      try {
        const back = await social.service.returned({
          provider: req.params.provider,
          callback: new URL(req.url, 'http://callback.invalid'),
          browserToken: readCookie(req.headers.cookie, socialCookie),
        });
        reply.header('set-cookie', `${socialCookie}=; Path=/social/; Max-Age=0; HttpOnly; SameSite=Lax`);
        const next = back.purpose === 'link' ? '/account/social/done' : `/interaction/${back.handle}/social`;
        return reply.redirect(next, 303);
      } catch (err) {
        // The code, the reason and its cause's words; never the provider's tokens.
        const e = err as { code?: string; message?: string; cause?: { message?: string } };
        req.log.info({ code: e.code, reason: e.message, cause: e.cause?.message }, 'social sign-in refused');
        return socialFailure(reply, err);
      }
    },
  );

  app.get<{ Params: { uid: string } }>(
    '/interaction/:uid/social',
    { schema: { params: uidParams } },
    async (req, reply) => {
      const details = await kit.load(req as UidRequest, reply);
      if (!details) return;
      let outcome: SocialOutcome;
      try {
        outcome = await social.service.signIn(details.uid);
      } catch (err) {
        return socialFailure(reply, err);
      }
      if (outcome.kind === 'signed_in') return kit.afterFirstFactor(details, reply, outcome.account, federatedAmr);
      return showProve(kit, reply, details, outcome);
    },
  );

  app.post<UidRoute>('/interaction/:uid/social/link', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    return proveExisting(kit, req, reply, details, social.service);
  });

  registerMailedProof(app, kit, social.service);
}

/** "Mail me a link": sent to the existing account's address; opening it links the provider (T23: never unproven). */
function registerMailedProof(app: FastifyInstance, kit: InteractionKit, social: Social) {
  const o = kit.options;
  app.post<UidRoute>('/interaction/:uid/social/mail', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    let outcome: SocialOutcome;
    try {
      outcome = await social.signIn(details.uid);
      if (outcome.kind === 'signed_in') return kit.afterFirstFactor(details, reply, outcome.account, federatedAmr);
      await o.limiter.check([{ key: sourceKey('mail', req.ip), rule: o.limits.mailPerSource }]);
      await social.mailProof(details.uid);
    } catch (err) {
      if (err instanceof SocialError) return socialFailure(reply, err);
      const { error, status } = kit.failure(reply, err, 400);
      return sendHtml(reply, status, messagePage('error.title', error.message));
    }
    return showProve(kit, reply, details, outcome, undefined, 200, true);
  });

  const tokenQuery = { querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } };
  app.get<{ Querystring: { token?: string } }>('/social/confirm', { schema: tokenQuery }, async (req, reply) =>
    sendHtml(
      reply.header('cache-control', 'no-store'),
      200,
      socialConfirmPage({ action: '/social/confirm', token: req.query.token }),
    ),
  );
  const tokenBody = { body: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } };
  app.post<{ Body: { token?: string } }>('/social/confirm', { schema: tokenBody }, async (req, reply) => {
    try {
      await social.confirmProof(req.body?.token);
    } catch (err) {
      return socialFailure(reply, err);
    }
    return sendHtml(reply.header('cache-control', 'no-store'), 200, socialConfirmPage({ action: '', done: true }));
  });
}

function showProve(
  kit: InteractionKit,
  reply: FastifyReply,
  details: Details,
  outcome: Extract<SocialOutcome, { kind: 'prove_existing' }>,
  errors?: FieldError[],
  status = 200,
  mailed = false,
) {
  const page = socialProvePage({
    action: `/interaction/${details.uid}/social/link`,
    mailAction: `/interaction/${details.uid}/social/mail`,
    continueHref: `/interaction/${details.uid}/social`,
    mailed,
    csrf: kit.csrfFor(details.uid),
    email: outcome.email,
    provider: outcome.identity.provider,
    errors,
  });
  return sendHtml(reply.header('cache-control', 'no-store'), status, page);
}

/** The existing account's password, counted like any sign-in's; then the link, and the sign-in goes on. */
async function proveExisting(
  kit: InteractionKit,
  req: FastifyRequest<UidRoute>,
  reply: FastifyReply,
  details: Details,
  social: Social,
) {
  let outcome: SocialOutcome;
  try {
    outcome = await social.signIn(details.uid);
  } catch (err) {
    return socialFailure(reply, err);
  }
  if (outcome.kind === 'signed_in') return kit.afterFirstFactor(details, reply, outcome.account, federatedAmr);
  try {
    const account = await kit.options.firstFactor.check({
      action: 'signin',
      name: outcome.email,
      password: req.body.password,
      source: { ip: req.ip },
      device: kit.options.devices.deviceFor(req.headers.cookie, outcome.email),
    });
    await social.linkProven(details.uid, account);
    return kit.afterFirstFactor(details, reply, account, ['pwd', ...federatedAmr]);
  } catch (err) {
    if (err instanceof SocialError) return socialFailure(reply, err);
    const { error, status } = kit.failure(reply, err, 401);
    return showProve(kit, reply, details, outcome, [error], status);
  }
}
