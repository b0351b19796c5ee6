import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The change feed's counters (src/cluster): on SQLite a writer in another process (the CLI) bumps its topic's row and
  // the server polls them; PostgreSQL uses LISTEN/NOTIFY and leaves the table empty.
  await db.schema
    .createTable('cluster_changes')
    .addColumn('topic', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('origin', 'varchar(64)', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  // The nodes serving now and the settings that must be the same on each (issuer): a node joining with another value
  // is refused at start. A row not seen for a few backstop periods is of a node gone.
  await db.schema
    .createTable('cluster_nodes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  // Signing keys get a "next" state: published (JWKS, verification) before they sign, so every node of a cluster
  // verifies a key before any node signs with it. Null: not signing yet. The keys signing until now sign on.
  await db.schema.alterTable('secrets').addColumn('activated_at', 'bigint').execute();
  await sql`update secrets set activated_at = created_at where name like 'jwk:%'`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
