import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A sign-in between its first factor and its second: the person is signed in nowhere until the flow completes
  // (an SSO session is made only then). One flow per protocol handle (the OIDC interaction uid); completing it is
  // a conditional update, so a flow completes once.
  await db.schema
    .createTable('signin_flows')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('handle', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('app_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('step', 'varchar(16)', (c) => c.notNull())
    .addColumn('optional', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // A sign-up with an address that has an account gets a verification too, which no code ever opens: its answers
  // (wrong code, spent after the same number of tries, a new code sent) are those of a real one (T46).
  await db.schema
    .alterTable('email_verifications')
    .addColumn('decoy', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
