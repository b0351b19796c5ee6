import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A helpdesk grant may be limited to the people below an OU as well as to a group's members (issue 23): the kind
  // is stored beside the scope, and the key says it too, so a group and an OU spelled alike are two grants. Every
  // scope before this migration was a group.
  await db.schema.alterTable('operator_roles').addColumn('scope_kind', 'varchar(8)').execute();
  await sql`UPDATE operator_roles SET scope_kind = 'group', scope_key = 'group:' || scope_key WHERE scope IS NOT NULL`.execute(
    db,
  );
  // Where a workforce person sits in the directory, read with their groups (sign-in, sync, the helpdesk naming them).
  await db.schema.alterTable('accounts').addColumn('directory_dn', 'varchar(4096)').execute();

  // The console's lists are keyset pages (issue 23); the audit log's index on (at, id) comes with its chains (0020).
  const postgres = isPostgres(db);
  // People are listed by user name (or e-mail address, for those without) and found by its start: byte order ("C"),
  // so that a prefix is one index range whatever the database's own collation.
  const c = postgres ? sql` COLLATE "C"` : sql``;
  await sql`CREATE INDEX accounts_by_sort_key ON accounts ((lower(coalesce(username, email, id))${c}), id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
