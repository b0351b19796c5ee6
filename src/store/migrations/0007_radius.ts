import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The State of an Access-Challenge: random, single use, expiring, bound to the user and the NAS (checklist T42).
  await db.schema
    .createTable('radius_states')
    .addColumn('state_hash', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('client', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
