// The registration flow as data (as Ory Kratos keeps its self-service flows): whose it is, which step is next, how
// many wrong answers it has had there, until when. The directory password opens it; the employee ID, then an SMS or
// helpdesk code, then the new token's first code move it on. Each step is a conditional update, so an answer opens
// a step once, and a flow that has had `maxWrongAnswers` at a step is over.

/** `employee_id`: the password is proven; `code`: the employee ID too; `enrol`: the SMS or helpdesk code too. */
export type RegistrationStep = 'employee_id' | 'code' | 'enrol';

export interface RegistrationFlow {
  id: string;
  accountId: string;
  step: RegistrationStep;
  /** Wrong answers at the current step (reset when a step is passed). */
  wrongAnswers: number;
  /** The keyed hash of the SMS code sent for this flow, and until when it is good. */
  smsCodeHash: string | null;
  smsExpiresAt: number | null;
  /** The SMS outbox id of the latest code, to tell the person how its delivery goes. */
  smsId: string | null;
  /** The pending token shown at the `enrol` step (the same QR code until it is confirmed or expires). */
  enrolmentId: string | null;
  expiresAt: number;
  createdAt: number;
}

/** What the code step tells the person about their SMS. */
export type SmsState =
  /** The directory has no usable mobile number: ask IT support for a registration code. */
  | 'no_mobile'
  /** No SMS gateway is configured here: only a registration code from IT support opens the step. */
  | 'not_configured'
  /** Sent (or on its way): it may take a minute. */
  | 'sent'
  /** Not handed to the gateway yet (the link is down): it may be late; IT support can give a registration code. */
  | 'late'
  /** The gateway refused it or gave up: ask IT support for a registration code. */
  | 'failed';

export interface CodeStep {
  sms: SmsState;
  /** The number the SMS went to, mostly hidden (`+40 7•• ••• •67`), when there is one. */
  maskedNumber: string | null;
}

/** `+40721234567` → `+40•••••••567`: enough for the person to recognise their number, not to learn someone's. */
export function maskNumber(e164: string): string {
  return `${e164.slice(0, 3)}${'•'.repeat(Math.max(0, e164.length - 6))}${e164.slice(-3)}`;
}
