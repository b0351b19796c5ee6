// Registering an OTP app from a web page: the one path a sign-in's enrolment step (src/oidc/interactions) and the
// account page share. The form names the registration it confirms and carries its first code; a wrong first code
// shows the same registration (the same QR) again, with the error from the one error map.
import type { FastifyReply } from 'fastify';
import type { Enrolment } from '../otp/index.ts';
import { answerStatus, formError } from './error-map.ts';
import { otpEnrolPage, type EnrolPageModel } from './pages/otp-pages.ts';

export interface EnrolmentForm {
  /** The registration shown on the page (hidden input), absent when none was. */
  enrolmentId: string | undefined;
  /** The first code the app shows: its right value confirms the registration. */
  code: unknown;
}

export function enrolmentForm(body: Readonly<Record<string, unknown>> | undefined): EnrolmentForm {
  const id = body?.enrolment;
  return { enrolmentId: id ? String(id) : undefined, code: body?.code };
}

/**
 * The enrolment page and its status: 200, or after a refused first code that code's error (400, 429 with
 * Retry-After for a throttle). An error the web has no words for is rethrown.
 */
export async function enrolmentAnswer(
  reply: FastifyReply,
  view: Omit<EnrolPageModel, 'errors'>,
  enrolment: Enrolment,
  error?: unknown,
) {
  const answer = error === undefined ? undefined : formError(error);
  const status = answer === undefined ? 200 : answerStatus(reply, answer, 400);
  return { status, body: await otpEnrolPage({ ...view, errors: answer && [answer] }, enrolment) };
}
