// Sign-up with e-mail confirmation: the form, then the code from the mail (or its link, src/web/account-routes.ts).
// Every answer of the confirmation step reads the same for a new address and a taken one (T46): the verification id
// on the page is a decoy's for a taken address, and the address shown is the one typed.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Account } from '../../identity/index.ts';
import { sourceKey } from '../../ratelimit/index.ts';
import { signUpPage, verifyPage, type FieldError } from '../../web/index.ts';
import { formSchema, sendHtml, uidParams, type InteractionKit, type UidRequest, type UidRoute } from './kit.ts';

export const verifyActions = (kit: InteractionKit, uid: string) => ({
  action: `/interaction/${uid}/verify`,
  resendAction: `/interaction/${uid}/resend`,
  csrf: kit.csrfFor(uid),
});

interface VerifyExtra {
  errors?: FieldError[];
  notice?: 'verify.resent';
  verificationId?: string;
}

function verifyAgain(
  kit: InteractionKit,
  reply: FastifyReply,
  uid: string,
  body: Record<string, string>,
  status: number,
  extra: VerifyExtra = {},
) {
  return sendHtml(
    reply,
    status,
    verifyPage({
      ...verifyActions(kit, uid),
      verificationId: extra.verificationId ?? String(body.verification ?? ''),
      email: String(body.email ?? ''),
      errors: extra.errors,
      notice: extra.notice,
    }),
  );
}

export function registerSignUp(app: FastifyInstance, kit: InteractionKit): void {
  const o = kit.options;
  const signUpContext = async (uid: string, details: Parameters<InteractionKit['appName']>[0]) =>
    kit.formContext(uid, { action: `/interaction/${uid}/signup`, appName: await kit.appName(details) });

  const signUpGet = { schema: { params: uidParams } };
  app.get<{ Params: { uid: string } }>('/interaction/:uid/signup', signUpGet, async (req, reply) => {
    const details = await kit.load(req as UidRequest, reply);
    if (!details) return;
    return sendHtml(reply, 200, signUpPage(await signUpContext(details.uid, details)));
  });

  app.post<UidRoute>('/interaction/:uid/signup', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    const { body } = req;
    try {
      await o.limiter.check([{ key: sourceKey('signup', req.ip), rule: o.limits.signUpPerSource }]);
      const pending = await o.accounts.signUp({
        email: body.email,
        password: body.password,
        name: body.name,
        interactionUid: details.uid,
        marketingOptIn: body.marketing === 'on',
      });
      return sendHtml(
        reply,
        200,
        verifyPage({
          ...verifyActions(kit, details.uid),
          verificationId: pending.verificationId,
          email: pending.email,
        }),
      );
    } catch (err) {
      const { error, status } = kit.failure(reply, err, 400);
      const values = { email: body.email ?? '', name: body.name ?? '' };
      const context = await signUpContext(details.uid, details);
      return sendHtml(reply, status, signUpPage({ ...context, errors: [error], values }));
    }
  });

  app.post<UidRoute>('/interaction/:uid/verify', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    let account: Account;
    try {
      account = await o.accounts.confirmByCode(String(req.body.verification ?? ''), req.body.code);
    } catch (err) {
      const { error, status } = kit.failure(reply, err, 400);
      return verifyAgain(kit, reply, details.uid, req.body, status, { errors: [error] });
    }
    return kit.afterFirstFactor(details, reply, account);
  });

  app.post<UidRoute>('/interaction/:uid/resend', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    try {
      await o.limiter.check([{ key: sourceKey('mail', req.ip), rule: o.limits.mailPerSource }]);
      const pending = await o.accounts.resendVerification(String(req.body.verification ?? ''));
      const extra = { notice: 'verify.resent', verificationId: pending?.verificationId } as const;
      return verifyAgain(kit, reply, details.uid, req.body, 200, extra);
    } catch (err) {
      const { error, status } = kit.failure(reply, err, 400);
      return verifyAgain(kit, reply, details.uid, req.body, status, { errors: [error] });
    }
  });
}
