import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A VPN login by Access-Challenge is one audit row although it takes two packets: what the password step recorded
  // (JSON, the audit's steps), the gateway's address and the time of the challenge are kept with its State until the
  // code arrives, or until the State expires unanswered and its purge records the refusal. One column per statement:
  // SQLite adds one at a time.
  await db.schema
    .alterTable('radius_states')
    .addColumn('steps', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('radius_states').addColumn('source', 'varchar(64)').execute();
  await db.schema.alterTable('radius_states').addColumn('created_at', 'bigint').execute();
  // A refused directory login is recorded about the account its name means, looked up by name without case
  // (accounts.username) on every such refusal: an index on the expression the lookup compares, not a table scan.
  await db.schema.createIndex('accounts_username_lower').on('accounts').expression(sql`lower(username)`).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
