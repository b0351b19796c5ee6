import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // OTP registration (the FAQ's "directory password + employee ID + SMS code"): a stored flow per browser, its steps
  // moved by conditional updates so a code opens it once. Codes are kept only as keyed hashes.
  await db.schema
    .createTable('registration_flows')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('step', 'varchar(16)', (c) => c.notNull())
    // Wrong answers at the current step, counted before the answer is compared; the flow dies at the limit.
    .addColumn('wrong_answers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sms_code_hash', 'varchar(64)')
    .addColumn('sms_expires_at', 'bigint')
    // The SMS outbox row of the latest code, so the page can tell the person that it is late or failed.
    .addColumn('sms_id', 'varchar(64)')
    .addColumn('enrolment_id', 'varchar(64)')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registration_flows_account').on('registration_flows').column('account_id').execute();

  // The helpdesk's registration codes ("my phone is not receiving the SMS"): single use, short life, one per person.
  await db.schema
    .createTable('registration_codes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('issued_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registration_codes_account').on('registration_codes').column('account_id').execute();

  // Outgoing SMS, as the mail outbox: stored first, sent by a worker that claims each row (one node sends it),
  // retried with back-off while the gateway is down, never sent after `expires_at` (a late code is no use). The text
  // is emptied once a gateway took it: a code does not outlive its delivery in clear.
  await db.schema
    .createTable('sms_outbox')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('to_number', 'varchar(32)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('reference', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'varchar(64)')
    .addColumn('provider', 'varchar(16)')
    .addColumn('provider_id', 'varchar(128)')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('sms_outbox_due').on('sms_outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('sms_outbox_provider_id').on('sms_outbox').column('provider_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
