// Who may do what: a role granted to a person or to a directory group. `helpdesk` may be limited to the members of a
// directory group or to the people below an OU (one country's support team sees only that country's staff). Granting and revoking are operations of
// the admin service like any other, audited, and themselves for administrators only (see permissions.ts).
import { randomUUID } from 'node:crypto';
import { normaliseDn, parseDn } from '../directory/index.ts';
import type { Account } from '../identity/index.ts';
import { recorder } from './changes.ts';
import { AdminError } from './errors.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';

export type Role = 'admin' | 'helpdesk' | 'auditor';
export const roles: readonly Role[] = ['admin', 'helpdesk', 'auditor'];
/** Only the helpdesk's work is about people, so only it can be limited to some of them. */
const scopedRoles: readonly Role[] = ['helpdesk'];

export type Grantee = { kind: 'user'; accountId: string } | { kind: 'group'; group: string };

/** Whom a helpdesk grant is limited to: a directory group's members, or the people whose entry is at or below an OU. */
export type Scope = { kind: 'group'; group: string } | { kind: 'ou'; dn: string };

/** The scope as an operator types it (`--scope`): the group's name, or the OU's DN. */
export const scopeText = (scope: Scope) => (scope.kind === 'group' ? scope.group : scope.dn);

/** What scopes compare by: a group without case, an OU by its normalised DN; the kind is part of the key. */
export const scopeKey = (scope: Scope | null) =>
  scope === null
    ? ''
    : scope.kind === 'group'
      ? `group:${scope.group.toLowerCase()}`
      : `ou:${normaliseDn(scope.dn) ?? scope.dn.toLowerCase()}`;

export interface RoleGrant {
  id: string;
  role: Role;
  grantee: Grantee;
  /** Whom a helpdesk grant is limited to; null: everyone. */
  scope: Scope | null;
  grantedBy: string;
  createdAt: number;
}

export interface RoleStore {
  /** 'exists' when the grantee holds this role with this scope already (see scopeKey). */
  add(grant: RoleGrant): Promise<'added' | 'exists'>;
  /** True when such a grant was there. */
  remove(grant: Pick<RoleGrant, 'role' | 'grantee' | 'scope'>): Promise<boolean>;
  list(): Promise<RoleGrant[]>;
  /** The grants to this account and to any of these directory groups (without case). */
  forAccount(accountId: string, groups: readonly string[]): Promise<RoleGrant[]>;
}

/** What `admin grant` and `admin revoke` take: a person by any form of their name, or a directory group. */
export interface GrantInput {
  role: string;
  user?: string;
  group?: string;
  /** A directory group's name, or an OU's DN (`ou=Romania,ou=people,dc=example,dc=org`): a DN has an `=`, a name none. */
  scope?: string;
}

/** A grant as listed: the person named as the operator would type them. */
export type ListedGrant = RoleGrant & { granteeName: string };

const isRole = (role: string): role is Role => (roles as readonly string[]).includes(role);
// Directory group names (first RDN values) as an operator types them; nothing that a filter or a page must escape.
const groupName = /^[\p{L}\p{N} ._'&()-]{1,128}$/u;

/** The scope an operator typed; a DN must parse as one (and not be the root, which would be everyone). */
function parseScope(typed: string | undefined): Scope | null {
  const scope = typed?.trim() || null;
  if (scope === null) return null;
  if (scope.includes('=')) {
    const rdns = parseDn(scope);
    if (rdns === null || rdns.length === 0)
      throw new AdminError('admin.invalid_ou', { field: 'scope', subject: scope });
    return { kind: 'ou', dn: scope };
  }
  if (!groupName.test(scope)) throw new AdminError('admin.invalid_group', { field: 'scope' });
  return { kind: 'group', group: scope };
}

export function roleAdmin(p: AdminPorts, o: AdminOptions) {
  const record = recorder(p, o);
  const nameOf = (a: Account) => a.username ?? a.email ?? a.id;

  async function check(input: GrantInput): Promise<{ grant: Omit<RoleGrant, 'id' | 'grantedBy' | 'createdAt'> }> {
    if (!isRole(input.role)) throw new AdminError('admin.invalid_role', { field: 'role', subject: input.role });
    if ((input.scope?.trim() ?? '') !== '' && !scopedRoles.includes(input.role)) {
      throw new AdminError('admin.scope_not_for_role', { field: 'scope', subject: input.role });
    }
    const scope = parseScope(input.scope);
    if ((input.user === undefined) === (input.group === undefined)) {
      throw new AdminError('admin.grantee_needed', { field: 'user' });
    }
    if (input.group !== undefined) {
      const group = input.group.trim();
      if (!groupName.test(group)) throw new AdminError('admin.invalid_group', { field: 'group' });
      return { grant: { role: input.role, grantee: { kind: 'group', group }, scope } };
    }
    const login = input.user ?? '';
    const account = await p.accounts.findByLogin(login);
    if (!account) throw new AdminError('admin.account_unknown', { field: 'user', subject: login });
    return { grant: { role: input.role, grantee: { kind: 'user', accountId: account.id }, scope } };
  }

  const subjectOf = (g: Grantee) => (g.kind === 'user' ? g.accountId : null);
  const detailsOf = (g: Omit<RoleGrant, 'id' | 'grantedBy' | 'createdAt'>) => ({
    role: g.role,
    ...(g.grantee.kind === 'group' ? { group: g.grantee.group } : {}),
    ...(g.scope !== null ? { scope: scopeText(g.scope), scopeKind: g.scope.kind } : {}),
  });

  return {
    /** Grants a role; granting one held already changes nothing (`added: false`) and records nothing. */
    async grant(input: GrantInput): Promise<{ grant: RoleGrant; added: boolean }> {
      const { grant } = await check(input);
      const full: RoleGrant = { ...grant, id: randomUUID(), grantedBy: o.actor, createdAt: p.clock.now() };
      const added = (await p.roles.add(full)) === 'added';
      if (added) await record('admin.role.grant', subjectOf(grant.grantee), detailsOf(grant));
      return { grant: full, added };
    },

    /** Takes a role back; the person's next console request already runs without it. */
    async revoke(input: GrantInput): Promise<void> {
      const { grant } = await check(input);
      if (!(await p.roles.remove(grant))) throw new AdminError('admin.grant_unknown', { field: 'role' });
      await record('admin.role.revoke', subjectOf(grant.grantee), detailsOf(grant));
    },

    /** Every grant, people named by their sign-in name or e-mail address. */
    async list(): Promise<ListedGrant[]> {
      const grants = await p.roles.list();
      const listed: ListedGrant[] = [];
      for (const grant of grants) {
        const { grantee } = grant;
        const account = grantee.kind === 'user' ? await p.accounts.findAccount(grantee.accountId) : undefined;
        const granteeName = grantee.kind === 'group' ? grantee.group : account ? nameOf(account) : grantee.accountId;
        listed.push({ ...grant, granteeName });
      }
      return listed;
    },
  };
}
