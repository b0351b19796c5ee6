// The code step of a sign-in flow (src/signin): a person with a token types its code; a person without one registers
// the app first (QR, the same page and form path as the account page's: src/web/enrolment.ts), and the first code of
// the new token is the code of this sign-in.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OtpError } from '../../otp/index.ts';
import { sourceKey } from '../../ratelimit/index.ts';
import { SignInError, type SignedIn, type SignInFlow } from '../../signin/index.ts';
import { enrolmentAnswer, enrolmentForm, messagePage, otpCodePage } from '../../web/index.ts';
import { formSchema, sendHtml, type Details, type InteractionKit, type UidRoute } from './kit.ts';

/** The flow's step: the code form, or the registration (the one already begun, or a new one). */
export async function showSecondFactor(
  kit: InteractionKit,
  reply: FastifyReply,
  details: Details,
  flow: SignInFlow,
  error?: unknown,
  enrolmentId?: string,
) {
  const uid = details.uid;
  const shown = error === undefined ? undefined : kit.failure(reply, error, 400);
  const actions = { action: `/interaction/${uid}/otp`, csrf: kit.csrfFor(uid), appName: await kit.appName(details) };
  if (flow.step === 'code') {
    // A new or lost phone: the registration page (directory password, employee ID, SMS code) replaces the app.
    const registerHref = kit.options.workforce ? '/otp/register' : undefined;
    return sendHtml(
      reply,
      shown?.status ?? 200,
      otpCodePage({ ...actions, registerHref, errors: shown && [shown.error] }),
    );
  }
  let enrolment;
  try {
    enrolment = await kit.options.signIn.enrolment(flow, enrolmentId);
  } catch (err) {
    // The person registered a token elsewhere since this sign-in began: its code is what this step now needs.
    if (!(err instanceof OtpError)) throw err;
    return sendHtml(reply, 400, otpCodePage({ ...actions, errors: [kit.failure(reply, err, 400).error] }));
  }
  const laterAction = flow.optional ? `/interaction/${uid}/otp-later` : undefined;
  const page = await enrolmentAnswer(reply, { ...actions, required: !flow.optional, laterAction }, enrolment, error);
  return sendHtml(reply, page.status, page.body);
}

export function registerSecondFactor(app: FastifyInstance, kit: InteractionKit): void {
  const o = kit.options;

  /** The flow this interaction is waiting on, or the expired page. */
  async function loadFlow(details: Details, reply: FastifyReply): Promise<SignInFlow | undefined> {
    const flow = await o.signIn.find(details.uid);
    if (!flow) sendHtml(reply, 400, messagePage('error.title', 'signin.flow_expired'));
    return flow;
  }

  app.post<UidRoute>('/interaction/:uid/otp', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    const flow = details && (await loadFlow(details, reply));
    if (!details || !flow) return;
    const form = enrolmentForm(req.body);
    let signedIn: SignedIn;
    try {
      await o.limiter.check([{ key: sourceKey('otp', req.ip), rule: o.limits.signInPerSource }]);
      signedIn = form.enrolmentId
        ? await o.signIn.confirmEnrolment(flow, form.enrolmentId, form.code, req.ip)
        : await o.signIn.submitCode(flow, form.code, req.ip);
    } catch (err) {
      return showSecondFactor(kit, reply, details, flow, err, form.enrolmentId);
    }
    await kit.finishSignIn(details, reply, signedIn);
  });

  app.post<UidRoute>('/interaction/:uid/otp-later', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    const flow = details && (await loadFlow(details, reply));
    if (!details || !flow) return;
    try {
      // The flow says whether this sign-in may go on without the code: never when the app's policy or the request
      // (acr_values) asked for it, whatever the page showed (T44).
      await kit.finishSignIn(details, reply, await o.signIn.putOffEnrolment(flow));
    } catch (err) {
      if (!(err instanceof SignInError)) throw err;
      return showSecondFactor(kit, reply, details, flow, err);
    }
  });
}
