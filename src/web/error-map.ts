// What the web answers for a typed error (src/errors), decided once for every page, form and problem+json answer:
// the HTTP status, the message a person reads and the form field it belongs to. A code is its own message id unless
// the table names another; the table holds only what differs from a route's usual answer.
import { TesseraError } from '../errors/index.ts';
import type { FieldError } from './pages/forms.ts';
import { isMessageId, type MessageId } from '../i18n/index.ts';

interface WebAnswerRule {
  /** The status when it is not the route's own (a refused sign-in 401, a refused form 400). */
  status?: number;
  /** The message when it is not the code itself. */
  message?: MessageId;
  /** The form field; `null`: none, whatever the error names. */
  field?: string | null;
}

const byCode: Readonly<Record<string, WebAnswerRule>> = {
  // Throttles: 429 with Retry-After, so browsers and scripts know when to come back.
  'ratelimit.throttled': { status: 429, message: 'web.rate_limited', field: null },
  'identity.too_many_attempts': { status: 429 },
  // The counter store not answering is nobody's mistake: the service is unavailable.
  'ratelimit.unavailable': { status: 503, message: 'web.unavailable', field: null },
  'directory.unreachable': { status: 503, field: null },
  'directory.misconfigured': { field: null },
  'directory.invalid_name': { field: 'email' },
};

// The field a family of codes belongs to when the error names none: a code is typed in `code`; the directory's
// refusals are about the password typed (its account states are told only once the password is proven).
const fieldByFamily: Readonly<Record<string, string>> = { otp: 'code', captcha: 'captcha', directory: 'password' };

export interface WebAnswer extends FieldError {
  /** Set when the error decides the status (a throttle, an outage); otherwise the route's own applies. */
  status?: number;
  retryAfterSeconds?: number;
}

export interface WebAnswerOptions {
  /** Named in the message for an expired directory password, when configured. */
  passwordChangeUrl?: string;
}

/** The answer for a typed error with a message, or undefined for anything else (the caller rethrows it). */
export function webAnswer(err: unknown, options: WebAnswerOptions = {}): WebAnswer | undefined {
  if (!(err instanceof TesseraError)) return undefined;
  const rule = byCode[err.code] ?? {};
  const message = rule.message ?? (isMessageId(err.code) ? err.code : undefined);
  if (message === undefined) return undefined;
  const field = rule.field === null ? undefined : (rule.field ?? err.field ?? fieldByFamily[err.code.split('.')[0]!]);
  const seconds = err.retryAfterSeconds;
  const answer: WebAnswer = {
    field,
    message,
    status: rule.status,
    retryAfterSeconds: rule.status === 429 ? seconds : undefined,
    params: { ...err.params, ...(seconds === undefined ? {} : { seconds }) },
  };
  if (err.code === 'directory.password_expired' && options.passwordChangeUrl !== undefined) {
    return { ...answer, message: 'directory.password_expired_at', params: { url: options.passwordChangeUrl } };
  }
  return answer;
}

/** A typed error's answer as a form error, or the error rethrown when the web has no words for it. */
export function formError(err: unknown, options?: WebAnswerOptions): WebAnswer {
  const answer = webAnswer(err, options);
  if (!answer) throw err;
  return answer;
}

/** The status to answer with: the error's own (with Retry-After on a throttle), else the route's. */
export function answerStatus(
  reply: { header(name: string, value: string): unknown },
  answer: WebAnswer,
  otherwise: number,
): number {
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  return answer.status ?? otherwise;
}
