// Finding the person a helpdesk call is about, by what the caller gives: any form of their name or e-mail address,
// the serial printed on their token, or their employee ID (the directory's). The guard (guard.ts) finds them the same way to decide whether the operator
// may see them at all.
import type { Account } from '../identity/index.ts';
import type { TokenDescription } from '../otp/index.ts';
import { AdminError } from './errors.ts';
import type { AdminPorts } from './ports.ts';

/**
 * The account a query means: a sign-in name or e-mail address first, else the holder of a token with that serial,
 * else the person with that employee ID in the directory, else a directory person who never signed in here (their
 * account is linked, as their first sign-in would).
 */
export async function personFor(p: AdminPorts, query: string): Promise<Account | undefined> {
  const byName = await p.accounts.findByLogin(query);
  if (byName) return byName;
  const owner = await p.otp.ownerOf(query);
  if (owner !== undefined) return p.accounts.findAccount(owner);
  return (await p.workforce?.linkByEmployeeId(query)) ?? p.workforce?.linkNamed(query);
}

export function peopleAdmin(p: AdminPorts) {
  return {
    /** The person and their tokens (never a secret); `admin.account_unknown` when nobody matches. */
    async find(query: string): Promise<{ account: Account; tokens: TokenDescription[] }> {
      const account = await personFor(p, query);
      if (!account) throw new AdminError('admin.account_unknown', { field: 'q', subject: query });
      return { account, tokens: await p.otp.list(account.id) };
    },
  };
}
