// A person's signed-in browsers, as the helpdesk sees them ("someone else may be signed in as me"), and ending them
// all: every SSO session with the tokens issued in it, each app told by back-channel logout. One audit row by the
// operator about the person, with the reason they gave.
import type { Account } from '../identity/index.ts';
import type { SessionView } from '../oidc/index.ts';
import { AdminError } from './errors.ts';
import { recorder } from './changes.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { reasonOf } from './tokens.ts';

export function sessionAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  const accountOf = async (login: string): Promise<Account> => {
    const account = await p.accounts.findByLogin(login);
    if (!account) throw new AdminError('admin.account_unknown', { field: 'user', subject: login });
    return account;
  };
  return {
    /** The person's live SSO sessions, newest first: when signed in, last seen, browser, address, apps. */
    async list(login: string): Promise<SessionView[]> {
      return p.sessions.list((await accountOf(login)).id);
    },

    /** Signs the person out everywhere; returns how many sessions and tokens ended. */
    async endAll(login: string, reason?: string): Promise<{ ended: number }> {
      const account = await accountOf(login);
      const ended = await p.sessions.endAll(account.id);
      await record('helpdesk.sessions_end', account.id, { ended, ...reasonOf(reason) });
      return { ended };
    },
  };
}
