// A new second factor is news the person must hear of, every time (T44): a registration they did not make is how
// they learn that someone has their password. "Only the last registered software token is valid": the mail says
// which earlier apps stopped working.
import type { Confirmed } from './enrolment.ts';

export interface EnrolmentNoticePorts {
  /** The address the notice goes to; undefined (no e-mail, say a directory account without one) sends nothing. */
  emailOf(accountId: string): Promise<string | null | undefined>;
  sendMail(
    templateId: 'otp.token_registered' | 'otp.token_replaced',
    to: string,
    params: Record<string, string>,
  ): Promise<void>;
}

export type EnrolmentNotice = (accountId: string, confirmed: Confirmed) => Promise<void>;

export function createEnrolmentNotice(p: EnrolmentNoticePorts): EnrolmentNotice {
  return async (accountId, confirmed) => {
    const email = await p.emailOf(accountId);
    if (!email) return;
    const serial = confirmed.token.serial;
    await (confirmed.revoked.length === 0
      ? p.sendMail('otp.token_registered', email, { serial })
      : p.sendMail('otp.token_replaced', email, {
          serial,
          revoked: confirmed.revoked.map((r) => r.serial).join(', '),
        }));
  };
}
