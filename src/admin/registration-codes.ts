// The helpdesk's registration code ("my phone is not receiving the OTP verification code"): issued for a directory
// account, shown once to the operator, who gives it to the person identified on site; it stands in for the SMS code.
import { RegistrationError } from '../registration/index.ts';
import { AdminError } from './errors.ts';
import { recorder } from './changes.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { reasonOf } from './tokens.ts';

export function registrationCodeAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  return {
    /** A new code for the person (their earlier unused one stops working); audited with the operator, never the code. */
    async issue(login: string, reason?: string): Promise<{ code: string; expiresAt: number; user: string }> {
      if (!p.registration) throw new AdminError('admin.no_directory');
      // Someone who never signed in here has no account yet: the directory names them.
      const account = (await p.accounts.findByLogin(login)) ?? (await p.workforce?.linkNamed(login));
      if (!account) throw new AdminError('admin.account_unknown', { field: 'user', subject: login });
      if (account.kind !== 'workforce') throw new RegistrationError('registration.not_workforce', { field: 'user' });
      const issued = await p.registration.issueHelpdeskCode(account.id, o.actor);
      await record('helpdesk.registration_code', account.id, { expiresAt: issued.expiresAt, ...reasonOf(reason) });
      return { ...issued, user: account.username ?? login };
    },
  };
}
