// Finding the person a helpdesk call is about, by what the caller gives: any form of their name or e-mail address,
// the serial printed on their token, or their employee ID (the directory's). The guard (guard.ts) finds them the same
// way to decide whether the operator may see them at all. And the list of people for the console's search, kept to
// the caller's scope row by row, a keyset page at a time.
import type { Account, ListedAccount } from '../identity/index.ts';
import type { TokenDescription } from '../otp/index.ts';
import { AdminError } from './errors.ts';
import { covers, permissionsOf } from './permissions.ts';
import type { AdminPorts } from './ports.ts';
import type { RoleGrant } from './roles.ts';

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

/** A place in the list of people: the row's key (sign-in name or e-mail address in lower case) and account id. */
export interface PeoplePosition {
  key: string;
  id: string;
}

export interface PeopleSearch {
  /** The start of a user name (or e-mail address, for those without); '' for everyone the caller may see. */
  query: string;
  /** Past this row, toward the end ('next') or the start ('prev'); without it, the first page. */
  from?: PeoplePosition & { toward: 'next' | 'prev' };
  limit: number;
}

export interface PeoplePage {
  /** The person the query names exactly (a sign-in name, serial or employee ID), when the caller may see them. */
  exact?: Account;
  people: Account[];
  /** Where the next and the previous pages start, when there may be people that way. */
  next?: PeoplePosition;
  prev?: PeoplePosition;
}

const limits = { min: 1, max: 200 };
// A scoped agent's page skips the people outside their scope; this many rows read per page at most, so that a search
// over people of whom few are theirs stays one short answer (the Next link then goes on from the last row read).
const readPerPage = 2000;

export function peopleAdmin(p: AdminPorts, grantsOf: () => Promise<readonly Pick<RoleGrant, 'role' | 'scope'>[]>) {
  return {
    /** The person and their tokens (never a secret); `admin.account_unknown` when nobody matches. */
    async find(query: string): Promise<{ account: Account; tokens: TokenDescription[] }> {
      const account = await personFor(p, query);
      if (!account) throw new AdminError('admin.account_unknown', { field: 'q', subject: query });
      return { account, tokens: await p.otp.list(account.id) };
    },

    /** A page of the people whose user name (or e-mail address) starts with the query, within the caller's scope. */
    async search(search: PeopleSearch): Promise<PeoplePage> {
      const { limit, from } = search;
      if (!Number.isInteger(limit) || limit < limits.min || limit > limits.max) {
        throw new AdminError('admin.invalid_limit', { field: 'limit', params: limits });
      }
      const prefix = search.query.normalize('NFC').trim();
      if (prefix.length > 256 || !prefix.isWellFormed() || prefix.includes('\0')) {
        throw new AdminError('admin.account_unknown', { field: 'q', subject: search.query });
      }
      // A position outside the prefix is no page of this list; it would also cost an index range from there to the
      // prefix (half a second over a million accounts), where every page of the list costs one short range.
      if (from !== undefined && prefix !== '' && !from.key.toLowerCase().startsWith(prefix.toLowerCase())) {
        throw new AdminError('admin.invalid_page', { field: 'cursor' });
      }
      const holders = (await grantsOf()).filter((g) => permissionsOf[g.role].includes('people'));
      const mayList = (account: Account) => holders.some((g) => covers(g, account));
      if (from === undefined && prefix !== '') {
        const exact = await personFor(p, prefix);
        if (exact && mayList(exact)) return { exact, people: [] };
      }

      // Read toward `from.toward` until a page and one more are in scope, the list ends, or enough rows were read.
      const toward = from?.toward ?? 'next';
      const found: ListedAccount[] = [];
      let place: (PeoplePosition & { toward: 'next' | 'prev' }) | undefined = from;
      let read = 0;
      let ended = false;
      const batch = holders.some((g) => g.scope === null) ? limit + 1 : Math.min(readPerPage, 4 * (limit + 1));
      while (found.length <= limit && read < readPerPage) {
        const rows = await p.accounts.search({ prefix, from: place, limit: batch });
        const nearestFirst = toward === 'next' ? rows : [...rows].reverse();
        for (const row of nearestFirst) {
          read++;
          place = { key: row.key, id: row.account.id, toward };
          if (mayList(row.account)) found.push(row);
          if (found.length > limit) break;
        }
        if (rows.length < batch) {
          ended = found.length <= limit;
          break;
        }
      }
      const more = found.length > limit;
      const shown = found.slice(0, limit);
      const positionOf = (row: ListedAccount): PeoplePosition => ({ key: row.key, id: row.account.id });
      // Rows read past the last shown (not theirs, or the read stopped): the next page goes on from the last row read.
      const onward = more ? positionOf(shown[shown.length - 1]) : ended || place === undefined ? undefined : place;
      const back =
        from === undefined ? undefined : shown.length > 0 ? positionOf(shown[0]) : { key: from.key, id: from.id };
      const ordered = toward === 'next' ? shown : [...shown].reverse();
      const page = { people: ordered.map((r) => r.account) };
      return toward === 'next'
        ? { ...page, next: strip(onward), prev: back }
        : { ...page, prev: strip(onward), next: back };
    },
  };
}

const strip = (place: (PeoplePosition & { toward?: string }) | undefined): PeoplePosition | undefined =>
  place && { key: place.key, id: place.id };
