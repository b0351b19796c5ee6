import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // What the account page shows about each signed-in browser: approximate device, address, times.
  await db.schema
    .createTable('session_details')
    .addColumn('session_uid', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_agent', 'varchar(512)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_details_account').on('session_details').column('account_id').execute();

  // A change of primary address: confirmed from the new address, undoable from the old one for 7 days.
  await db.schema
    .createTable('email_changes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('old_email', 'varchar(320)', (c) => c.notNull())
    .addColumn('new_email', 'varchar(320)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('undo_token_hash', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('undo_expires_at', 'bigint')
    .addColumn('undone_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Marketing mail is opt-in; every change is recorded with its time and source.
  await db.schema
    .createTable('marketing_consents')
    .addColumn('account_id', 'varchar(64)', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('subscribed', 'integer', (c) => c.notNull())
    .addColumn('source', 'varchar(32)', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
