// Registering a new OTP app changes a factor: it needs a sign-in of the last minutes (ASVS V7.5.1, T18), and for a
// person who has a token, a code from it in that sign-in (T44): the password alone registers a first token only.
// The OTP module enforces the rule; this page only sends the person to the sign-in that gives the proof. The page
// and its form are the sign-in's enrolment step's too (src/web/enrolment.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OtpError, type FactorProof } from '../../otp/index.ts';
import { enrolmentAnswer, enrolmentForm } from '../enrolment.ts';
import { t } from '../../i18n/index.ts';
import { bodySchema, page, type AccountKit, type AccountSession, type Body } from './kit.ts';

const recentMs = 10 * 60_000;
const proofOf = (session: AccountSession): FactorProof | undefined => {
  if (Date.now() - session.loginTs > recentMs) return undefined;
  return session.amr.includes('otp') ? 'second_factor' : 'first_factor';
};
const secondFactorNeeded = (err: unknown) => err instanceof OtpError && err.code === 'otp.second_factor_required';

export function registerOtp(app: FastifyInstance, kit: AccountKit): void {
  const o = kit.options;

  async function renderEnrolment(
    reply: FastifyReply,
    session: AccountSession,
    proof: FactorProof,
    enrolmentId?: string,
    error?: unknown,
  ) {
    const account = await o.accounts.findAccount(session.accountId);
    const label = account?.username ?? account?.email ?? session.accountId;
    const enrolment =
      (enrolmentId && (await o.otp.pendingEnrolment(session.accountId, enrolmentId, label))) ||
      (await o.otp.beginEnrolment(session.accountId, label, 'mobile', { proof }));
    const view = {
      action: '/account/otp/confirm',
      csrf: kit.csrfFor(session.uid),
      appName: t('account.title'),
      required: false,
    };
    const { status, body } = await enrolmentAnswer(reply, view, enrolment, error);
    return page(reply, status, body);
  }

  app.post<{ Body: Body }>('/account/otp/register', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
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
    const session = await kit.authorized(req, reply);
    if (!session) return;
    const proof = proofOf(session);
    if (!proof) return reply.redirect('/account/reauthenticate', 303);
    const form = enrolmentForm(req.body);
    try {
      const confirmed = await o.otp.confirmEnrolment(session.accountId, form.enrolmentId ?? '', form.code, {
        proof,
        source: req.ip,
      });
      await o.afterEnrolment(session.accountId, confirmed);
      const serials = confirmed.revoked.map((r) => r.serial).join(', ');
      const notice = serials
        ? ({ id: 'account.otp_replaced', params: { serials } } as const)
        : ({ id: 'account.otp_registered' } as const);
      return kit.renderAccount(reply, session, { notice });
    } catch (err) {
      if (secondFactorNeeded(err)) {
        return kit.renderAccount(reply, session, { errors: [{ message: 'otp.second_factor_required' }], status: 403 });
      }
      if (!(err instanceof OtpError)) throw err;
      return renderEnrolment(reply, session, proof, form.enrolmentId, err);
    }
  });
}
