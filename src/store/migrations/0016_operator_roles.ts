import type { Kysely } from 'kysely';

// Who may do what in the admin service (CLI, console, API alike): a role granted to a person (their account id) or to
// a directory group (its name), for helpdesk optionally limited to the people of one directory group. `*_key` is the
// lower-cased form names are compared by (directory group names compare without case); '' in scope_key: no limit.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('operator_roles')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('grantee_kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('grantee', 'varchar(256)', (c) => c.notNull())
    .addColumn('grantee_key', 'varchar(256)', (c) => c.notNull())
    .addColumn('scope', 'varchar(256)')
    .addColumn('scope_key', 'varchar(256)', (c) => c.notNull())
    .addColumn('granted_by', 'varchar(256)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // One grant of a role per grantee and scope; the lookup at every console request is by grantee.
  await db.schema
    .createIndex('operator_roles_grant')
    .on('operator_roles')
    .columns(['grantee_kind', 'grantee_key', 'role', 'scope_key'])
    .unique()
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
