// The sign-in page: GET /interaction/:uid shows the step this interaction is at (consent, a second factor waiting,
// a step-up, the sign-in or sign-up form); POST …/login checks the first factor (src/signin) and moves on.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Account } from '../../identity/index.ts';
import { sourceKey } from '../../ratelimit/index.ts';
import { messagePage, signInPage, signUpPage, verifyPage } from '../../web/index.ts';
import { showConsent } from './consent.ts';
import {
  formSchema,
  sendHtml,
  uidParams,
  type Details,
  type InteractionKit,
  type UidRequest,
  type UidRoute,
} from './kit.ts';
import { showSecondFactor } from './second-factor.ts';
import { verifyActions } from './sign-up.ts';

export function registerSignIn(app: FastifyInstance, kit: InteractionKit): void {
  const o = kit.options;

  app.get<{ Params: { uid: string }; Querystring: { confirmed?: string } }>(
    '/interaction/:uid',
    {
      schema: { params: uidParams },
    },
    async (req, reply) => {
      let details: Details;
      try {
        details = await o.provider.interactionDetails(req.raw, reply.raw);
      } catch {
        // Confirmed by link in another browser: the account is ready, only this browser's sign-in page is gone.
        return req.query.confirmed
          ? sendHtml(reply, 200, messagePage('verify.done_title', 'verify.done'))
          : sendHtml(reply, 400, messagePage('error.title', 'web.interaction_expired'));
      }
      if (details.prompt.name === 'consent') return showConsent(kit, reply, details);
      return showSignInStep(kit, reply, details);
    },
  );

  app.post<UidRoute>('/interaction/:uid/login', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    const account = await checkFirstFactor(kit, req, reply, details);
    if (!account) return;
    // The right password earns this browser its device cookie for the account, under each of its names (never for an
    // address not confirmed yet: it may not be the person's).
    const name = String(req.body.email ?? '');
    reply.raw.appendHeader('set-cookie', o.devices.issue(req.headers.cookie, [name, account.email, account.username]));
    return kit.afterFirstFactor(details, reply, account);
  });
}

/**
 * A sign-in waiting for its second factor (the page reloaded), or a signed-in person at an app that asks for more
 * than their session holds (step-up: the first factor is the session's); else the sign-in or sign-up form.
 */
async function showSignInStep(kit: InteractionKit, reply: FastifyReply, details: Details) {
  const { uid } = details;
  const o = kit.options;
  const waiting = await o.signIn.find(uid);
  if (waiting) return showSecondFactor(kit, reply, details, waiting);
  if (details.prompt.name === 'otp' && details.session) {
    const session = details.session as typeof details.session & { amr?: string[] };
    const outcome = await o.signIn.afterFirstFactor({
      handle: uid,
      appId: kit.appId(details),
      accountId: session.accountId,
      amr: session.amr ?? ['pwd'],
      requestedMfa: kit.requestedMfa(details),
    });
    if ('done' in outcome) return kit.finish(details, reply, { otp: {} });
    return showSecondFactor(kit, reply, details, outcome.flow);
  }
  const confirmed = await o.accounts.accountConfirmedInInteraction(uid);
  if (confirmed) return kit.afterFirstFactor(details, reply, confirmed);
  const appName = await kit.appName(details);
  if (details.prompt.name === 'create') {
    return sendHtml(reply, 200, signUpPage(kit.formContext(uid, { action: `/interaction/${uid}/signup`, appName })));
  }
  const values = { email: String(details.params.login_hint ?? '') };
  return sendHtml(reply, 200, signInPage(kit.formContext(uid, { appName, values })));
}

/**
 * The first factor (src/signin/first-factor.ts: the sign-in limits by this browser's device cookie, or the account
 * from this address, this address, the account). A right password on an unconfirmed address leads to the
 * confirmation step, never a sign-in. Undefined when the page has been answered.
 */
async function checkFirstFactor(
  kit: InteractionKit,
  req: UidRequest,
  reply: FastifyReply,
  details: Details,
): Promise<Account | undefined> {
  const o = kit.options;
  const name = String(req.body.email ?? '');
  try {
    const account = await o.firstFactor.check({
      action: 'signin',
      name: req.body.email,
      password: req.body.password,
      source: { ip: req.ip },
      device: o.devices.deviceFor(req.headers.cookie, name),
    });
    if (account.kind === 'customer' && !account.emailVerified) {
      // Mail it may send is limited per source here and per account in the identity module.
      await o.limiter.check([{ key: sourceKey('mail', req.ip), rule: o.limits.mailPerSource }]);
      const pending = await o.accounts.restartVerification(account, details.uid);
      sendHtml(
        reply,
        200,
        verifyPage({
          ...verifyActions(kit, details.uid),
          verificationId: pending.verificationId,
          email: pending.email,
          notice: 'identity.email_not_verified',
        }),
      );
      return undefined;
    }
    return account;
  } catch (err) {
    o.onSignIn?.('failure');
    const { error, status } = kit.failure(reply, err, 401);
    const context = { appName: await kit.appName(details), errors: [error], values: { email: req.body.email ?? '' } };
    sendHtml(reply, status, signInPage(kit.formContext(details.uid, context)));
    return undefined;
  }
}
