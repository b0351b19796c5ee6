import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, type Database, type OperatorRolesTable } from '../../store/index.ts';
import { scopeKey, scopeText, type Grantee, type RoleGrant, type RoleStore } from '../roles.ts';

const keyOf = (g: Grantee) => (g.kind === 'user' ? g.accountId : g.group.toLowerCase());

const toGrant = (row: Selectable<OperatorRolesTable>): RoleGrant => ({
  id: row.id,
  role: row.role,
  grantee:
    row.grantee_kind === 'user' ? { kind: 'user', accountId: row.grantee } : { kind: 'group', group: row.grantee },
  scope:
    row.scope === null
      ? null
      : row.scope_kind === 'ou'
        ? { kind: 'ou', dn: row.scope }
        : { kind: 'group', group: row.scope },
  grantedBy: row.granted_by,
  createdAt: Number(row.created_at),
});

export function createSqlRoleStore(db: Kysely<Database>): RoleStore {
  return {
    async add(grant) {
      const { grantee } = grant;
      try {
        await db
          .insertInto('operator_roles')
          .values({
            id: grant.id,
            role: grant.role,
            grantee_kind: grantee.kind,
            grantee: grantee.kind === 'user' ? grantee.accountId : grantee.group,
            grantee_key: keyOf(grantee),
            scope: grant.scope === null ? null : scopeText(grant.scope),
            scope_kind: grant.scope?.kind ?? null,
            scope_key: scopeKey(grant.scope),
            granted_by: grant.grantedBy,
            created_at: grant.createdAt,
          })
          .execute();
        return 'added';
      } catch (err) {
        if (isUniqueViolation(err)) return 'exists';
        throw err;
      }
    },
    async remove(grant) {
      const result = await db
        .deleteFrom('operator_roles')
        .where('grantee_kind', '=', grant.grantee.kind)
        .where('grantee_key', '=', keyOf(grant.grantee))
        .where('role', '=', grant.role)
        .where('scope_key', '=', scopeKey(grant.scope))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async list() {
      const rows = await db
        .selectFrom('operator_roles')
        .selectAll()
        .orderBy('role')
        .orderBy('grantee_kind')
        .orderBy('grantee_key')
        .orderBy('scope_key')
        .execute();
      return rows.map(toGrant);
    },
    async forAccount(accountId, groups) {
      const groupKeys = [...new Set(groups.map((g) => g.toLowerCase()))];
      const rows = await db
        .selectFrom('operator_roles')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_key', '=', accountId)]),
            ...(groupKeys.length > 0
              ? [eb.and([eb('grantee_kind', '=', 'group'), eb('grantee_key', 'in', groupKeys)])]
              : []),
          ]),
        )
        .execute();
      return rows.map(toGrant);
    },
  };
}
