// Workforce accounts: the directory (AD / LDAP) holds the password and says who is active; Tessera keeps a linked
// account (by the directory's stable id, never by name) created at first sign-in and refreshed at every sign-in.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import { IdentityError } from './errors.ts';
import type { Account, IdentityStore } from './store.ts';
import type { ReportEvent } from '../audit/index.ts';

/** What identity needs from a directory; src/directory provides it. */
export interface DirectoryPort {
  authenticate(name: string, password: string): Promise<DirectoryPerson>;
  findByStableId(id: string): Promise<DirectoryPerson | null>;
  /** The person a sign-in name finds, without a password; null when none matches. */
  findByName(name: string): Promise<DirectoryPerson | null>;
  /** The one person with this employee ID; null when nobody, or more than one, has it. */
  findByEmployeeId(id: string): Promise<DirectoryPerson | null>;
}

export interface DirectoryPerson {
  stableId: string;
  /** The entry's distinguished name: a helpdesk grant may be limited to the people below an OU. */
  dn: string;
  username: string;
  email: string | null;
  displayName: string;
  employeeId: string | null;
  givenName: string | null;
  surname: string | null;
  groups: string[];
  disabled: boolean;
}

/**
 * Whether a failed sign-in counts toward the person's sign-in limits: a directory that cannot be reached is nobody's
 * wrong password, and counting it would lock everybody out for a while after an outage.
 */
export function countsAsFailedSignIn(error: unknown): boolean {
  return (error as { code?: string }).code !== 'directory.unreachable';
}

export interface WorkforceServiceOptions {
  store: IdentityStore;
  directory: DirectoryPort;
  clock: Clock;
  /** Domains that mark a name as a directory name (`user@corp.example`); a name without `@` always is one. */
  domains: string[];
  /** Ends every session and token of an account (the OIDC layer provides it). */
  endSessions(accountId: string): Promise<void>;
  audit?: ReportEvent;
}

/** The linked account, created or refreshed; `created` when this call created it. */
async function linkAccount(
  o: WorkforceServiceOptions,
  person: DirectoryPerson,
): Promise<{ account: Account; created: boolean }> {
  const existing = await o.store.findAccountByDirectoryId(person.stableId);
  const account: Account = {
    id: existing?.id ?? randomUUID(),
    kind: 'workforce',
    email: person.email?.toLowerCase() ?? null,
    // The directory vouches for its own mail attribute.
    emailVerified: person.email !== null,
    directoryId: person.stableId,
    directoryDn: person.dn,
    username: person.username,
    groups: person.groups,
    passwordHash: null,
    name: person.displayName || null,
    status: person.disabled ? 'disabled' : 'active',
    createdAt: existing?.createdAt ?? o.clock.now(),
  };
  // Most sign-ins find the account as the directory describes it: no write, so no row lock and no commit.
  if (existing && sameLinkedFields(existing, account)) return { account: existing, created: false };
  let stored: Account;
  try {
    stored = await o.store.upsertWorkforceAccount(account, o.clock.now());
  } catch (err) {
    // The address already belongs to a customer account: the workforce account keeps no address rather than taking it.
    if (!(err instanceof IdentityError && err.code === 'identity.email_taken')) throw err;
    stored = await o.store.upsertWorkforceAccount({ ...account, email: null, emailVerified: false }, o.clock.now());
  }
  // A first sign-in racing another one for the same person finds the other's row (same directory id, other id).
  return { account: stored, created: existing === undefined && stored.id === account.id };
}

/**
 * The person behind a workforce account as the directory has them now, by stable id (never by a name that may have
 * been reused); null for other accounts and for a person gone from the directory. Directory errors are thrown.
 */
async function personOf(o: WorkforceServiceOptions, account: Account): Promise<DirectoryPerson | null> {
  if (account.kind !== 'workforce' || account.directoryId === null) return null;
  return o.directory.findByStableId(account.directoryId);
}

/** True when the typed name is a directory name: `DOMAIN\user`, a bare `user`, or `user@` one of `domains`. */
function isDirectoryName(domains: readonly string[], name: string): boolean {
  const at = name.lastIndexOf('@');
  if (name.includes('\\') || at < 0) return true;
  return domains.includes(
    name
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  );
}

export function createWorkforceService(o: WorkforceServiceOptions) {
  const audit = o.audit ?? (async () => {});
  const domains = o.domains.map((d) => d.toLowerCase());

  /**
   * The linked account a directory name means, found here without asking the directory (it may be down): the name
   * read as the directory reads it (`CORP\alice`, `alice@corp.example`, `alice`), compared without case. None for a
   * name with a domain that is not ours (the directory takes it for nobody) or that nobody signed in with yet.
   */
  async function accountNamed(name: string): Promise<Account | undefined> {
    // Longer than any directory name, or with a NUL (which PostgreSQL text cannot hold): nobody's, and not looked up.
    if (name.length > 1024 || name.includes('\0') || !name.isWellFormed()) return undefined;
    const typed = name.normalize('NFC').trim();
    const backslash = typed.indexOf('\\');
    const at = typed.lastIndexOf('@');
    const [domain, bare] =
      backslash > 0
        ? [typed.slice(0, backslash), typed.slice(backslash + 1)]
        : at > 0 && at < typed.length - 1
          ? [typed.slice(at + 1), typed.slice(0, at)]
          : [null, typed];
    if (bare === '' || (domain !== null && domains.length > 0 && !domains.includes(domain.toLowerCase())))
      return undefined;
    const account = await o.store.findAccountByUsername(bare);
    return account?.directoryId ? account : undefined;
  }

  /** The person's linked account, made now (and recorded) when they never signed in here. */
  async function linkPerson(person: DirectoryPerson | null): Promise<Account | undefined> {
    if (!person) return undefined;
    const { account, created } = await linkAccount(o, person);
    if (created) {
      await audit({
        action: 'account.create',
        subject: account.id,
        outcome: 'success',
        details: { source: 'directory' },
      });
    }
    return account;
  }

  return {
    /** True when the typed name is a directory name: `DOMAIN\user`, a bare `user`, or `user@` a configured domain. */
    isDirectoryName: (name: string) => isDirectoryName(domains, name),

    accountNamed,

    /**
     * The linked account of a directory name, made from the directory when the person never signed in here (the
     * helpdesk names someone who has not yet reached /otp/register); undefined when the directory has nobody by it.
     */
    async linkNamed(name: string): Promise<Account | undefined> {
      const known = await accountNamed(name);
      if (known) return known;
      return linkPerson(await o.directory.findByName(name));
    },

    /** The person behind a workforce account as the directory has them now, by stable id; null when none. */
    personOf: (account: Account) => personOf(o, account),

    /** The account as the directory has the person now (groups, DN…), stored; undefined when they are gone. */
    async refresh(account: Account): Promise<Account | undefined> {
      const person = await personOf(o, account);
      return person ? (await linkAccount(o, person)).account : undefined;
    },

    /** The linked account of the person with this employee ID (the helpdesk's search), linked as linkNamed does. */
    async linkByEmployeeId(id: string): Promise<Account | undefined> {
      const person = await o.directory.findByEmployeeId(id);
      if (!person) return undefined;
      return (await o.store.findAccountByDirectoryId(person.stableId)) ?? linkPerson(person);
    },

    /**
     * Directory password check, then the linked account is created or refreshed (groups, mail, name).
     * The password goes to the directory as typed, not NFC-normalised as Tessera's own passwords are: the directory
     * compares it with what it stored from the person's own keyboard (AD hashes the UTF-16 it was given), so a
     * normalised form could refuse a right password, and a second bind with the other form would count as a second
     * wrong password toward the directory's own lockout.
     */
    async signIn(name: string, password: string): Promise<Account> {
      let person: DirectoryPerson;
      try {
        person = await o.directory.authenticate(name, password);
      } catch (err) {
        // Recorded like a refused password kept here, about whom the name means: "I know I am entering the right
        // password" is looked up under the person, in whatever form of the name the helpdesk types.
        await audit({
          action: 'account.sign_in',
          subject: (await accountNamed(name))?.id ?? null,
          outcome: 'failure',
          details: { source: 'directory', reason: (err as { code?: string }).code },
        });
        throw err;
      }
      const { account, created } = await linkAccount(o, person);
      await audit({
        action: 'account.sign_in',
        subject: account.id,
        outcome: 'success',
        details: { source: 'directory', created },
      });
      return account;
    },

    /**
     * Disables the accounts that are gone or disabled in the directory and ends their sessions and tokens.
     * A directory that cannot be reached stops the sync: nobody is disabled because of an outage.
     */
    async sync(): Promise<{ checked: number; disabled: number }> {
      let disabled = 0;
      const accounts = await o.store.listActiveWorkforceAccounts();
      for (const account of accounts) {
        const person = await o.directory.findByStableId(account.directoryId!);
        if (person && !person.disabled) {
          await linkAccount(o, person);
          continue;
        }
        await o.store.setStatus(account.id, 'disabled', o.clock.now());
        await o.endSessions(account.id);
        await audit({
          action: 'account.disable',
          subject: account.id,
          outcome: 'success',
          details: { reason: person ? 'directory_disabled' : 'directory_removed' },
        });
        disabled++;
      }
      return { checked: accounts.length, disabled };
    },
  };
}

export type WorkforceService = ReturnType<typeof createWorkforceService>;

/** Whether the stored account already holds everything the directory says now (ids and creation time aside). */
function sameLinkedFields(stored: Account, wanted: Account): boolean {
  return (
    stored.kind === wanted.kind &&
    stored.email === wanted.email &&
    stored.emailVerified === wanted.emailVerified &&
    stored.username === wanted.username &&
    (stored.directoryDn ?? null) === (wanted.directoryDn ?? null) &&
    stored.name === wanted.name &&
    stored.status === wanted.status &&
    stored.passwordHash === wanted.passwordHash &&
    stored.groups.length === wanted.groups.length &&
    stored.groups.every((g, i) => g === wanted.groups[i])
  );
}
