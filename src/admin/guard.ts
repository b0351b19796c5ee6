// Every call of the admin service passes here first: the operator's grants are read afresh (a revoked role stops at
// the next call), the operation's row in permissions.ts decides, and a refusal is itself audited before it is thrown.
import { AdminError } from './errors.ts';
import { covers, operationRules, permissionsOf, rulesOf, type Person, type Row, type Rule } from './permissions.ts';
import { personFor } from './people.ts';
import type { Account } from '../identity/index.ts';
import type { AdminPorts } from './ports.ts';
import type { RoleGrant } from './roles.ts';

/** Who calls the admin service. */
export type Operator =
  /** The server's own command line, run by whoever administers the machine: every permission. */
  | { kind: 'local'; actor: string }
  /** A person signed in (the console): the roles granted to their account and to their directory groups. */
  | { kind: 'account'; accountId: string };

export type Grant = Pick<RoleGrant, 'role' | 'scope'>;
const superuser: readonly Grant[] = [{ role: 'admin', scope: null }];

/** The audit log's name for the operator: the local operator's name, or the account id (like every subject). */
export const actorOf = (operator: Operator) => (operator.kind === 'local' ? operator.actor : operator.accountId);

/** The operator as people know them: the local operator's name, or the account's sign-in name or e-mail address. */
export async function nameOf(p: AdminPorts, operator: Operator): Promise<string> {
  if (operator.kind === 'local') return operator.actor;
  const account = await p.accounts.findAccount(operator.accountId);
  return account?.username ?? account?.email ?? operator.accountId;
}

export async function grantsOf(p: AdminPorts, operator: Operator): Promise<readonly Grant[]> {
  if (operator.kind === 'local') return superuser;
  const account = await p.accounts.findAccount(operator.accountId);
  if (account?.status !== 'active') return [];
  return p.roles.forAccount(account.id, account.groups);
}

async function accountAbout(p: AdminPorts, person: NonNullable<Person>) {
  if ('query' in person) return personFor(p, person.query);
  if ('login' in person) {
    const known = await p.accounts.findByLogin(person.login);
    // Linking the directory's entry is what the operation itself does next for someone never seen here.
    return known ?? (person.fromDirectory ? p.workforce?.linkNamed(person.login) : undefined);
  }
  const owner = await p.otp.ownerOf(person.serial);
  return owner === undefined ? undefined : p.accounts.findAccount(owner);
}

/**
 * The account with its directory DN when an OU scope is to decide: an account last refreshed before Tessera kept DNs
 * is read from the directory once (and stored); without a DN, an OU scope covers nobody.
 */
async function withDn(p: AdminPorts, holders: readonly Grant[], account: Account | undefined) {
  if (!account?.directoryId || account.directoryDn || !holders.some((g) => g.scope?.kind === 'ou')) return account;
  return (await p.workforce?.refresh(account)) ?? account;
}

type Verdict = { allowed: true } | { allowed: false; hidden?: AdminError; subject?: string };

async function decide(p: AdminPorts, grants: readonly Grant[], row: Row, args: never[]): Promise<Verdict> {
  let refused: Verdict = { allowed: false };
  for (const rule of rulesOf(row) as readonly Rule[]) {
    const holders = grants.filter((g) => permissionsOf[g.role].includes(rule.needs));
    if (holders.length === 0) continue;
    const person = rule.about?.(...args) ?? null;
    if (person === null && rule.onlyAboutSomeone) continue;
    // A scope limits whom the helpdesk's work is about; nothing else a role allows is about a person.
    if (holders.some((g) => g.scope === null || rule.needs !== 'people') || rule.listsWithinScope) {
      return { allowed: true };
    }
    if (person === null) continue;
    const account = await withDn(p, holders, await accountAbout(p, person));
    if (account && holders.some((g) => covers(g, account))) return { allowed: true };
    refused = { allowed: false, hidden: rule.hidden?.(...args), subject: account?.id };
  }
  return refused;
}

/** The check run before each operation; throws `admin.forbidden`, or for a person out of scope what `hidden` says. */
export function checker(p: AdminPorts, operator: Operator) {
  return async (operation: string, args: unknown[]): Promise<void> => {
    const row: Row | undefined = (operationRules as Record<string, Row>)[operation];
    const verdict: Verdict = row
      ? await decide(p, await grantsOf(p, operator), row, args as never[])
      : { allowed: false };
    if (verdict.allowed) return;
    await p.audit.record({
      actor: actorOf(operator),
      action: 'admin.denied',
      subject: verdict.subject ?? null,
      outcome: 'denied',
      details: { operation },
    });
    throw verdict.hidden ?? new AdminError('admin.forbidden', { subject: operation });
  };
}

/** `raw` with each of its operations (nested objects: `tokens.unlock`) checked by `check` first. */
export function guard<T extends object>(
  raw: T,
  check: (operation: string, args: unknown[]) => Promise<void>,
  prefix = '',
): T {
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const operation = `${prefix}${key}`;
    guarded[key] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            await check(operation, args);
            return value(...args);
          }
        : guard(value as object, check, `${operation}.`);
  }
  return guarded as T;
}
