import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Which app asks for the one-time code, from when, for whom. `app_id` is an OIDC client id today; SAML SPs and
  // RADIUS clients use the same table with their own ids.
  await db.schema
    .createTable('app_policies')
    .addColumn('app_id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('otp', 'varchar(16)', (c) => c.notNull())
    .addColumn('go_live_at', 'bigint')
    .addColumn('grace_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('group_overrides', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
