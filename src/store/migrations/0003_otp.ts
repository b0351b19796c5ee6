import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per OTP token. Hardware tokens are imported unassigned (account_id null) and bound by serial.
  await db.schema
    .createTable('otp_tokens')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('serial', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('algorithm', 'varchar(8)', (c) => c.notNull())
    .addColumn('digits', 'integer', (c) => c.notNull())
    .addColumn('period_seconds', 'integer')
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('drift', 'integer', (c) => c.notNull().defaultTo(0))
    // RFC 6238 §5.2 / RFC 4226: the last accepted time step or counter; only a larger one is accepted next.
    .addColumn('last_step', 'bigint')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pending_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('activated_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('otp_tokens_account').on('otp_tokens').columns(['account_id', 'state']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
