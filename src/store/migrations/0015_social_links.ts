import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A person's accounts at Google, Facebook or Microsoft, each keyed by what the provider never reassigns: its
  // subject (`sub`, Facebook's app-scoped id, Microsoft's tenant and object ids). Never the e-mail, so an address
  // changed at the provider keeps the link. One account may hold several; one provider account links to one account.
  await db.schema
    .createTable('social_links')
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'varchar(320)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addPrimaryKeyConstraint('social_links_pk', ['provider', 'subject'])
    .execute();
  await db.schema.createIndex('social_links_account').on('social_links').column('account_id').execute();

  // A trip to a provider and back, kept in the database so any node can finish it: the checks sent (state, nonce,
  // PKCE verifier), the browser that left (a hash of its cookie) and, once back, what the provider vouched for.
  await db.schema
    .createTable('social_flows')
    .addColumn('state', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('handle', 'varchar(255)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('browser_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(64)', (c) => c.notNull())
    .addColumn('code_verifier', 'varchar(128)', (c) => c.notNull())
    .addColumn('identity', 'text')
    .addColumn('returned_at', 'bigint')
    // "Mail me a link" on the way to link an existing account: the link's token hash, and when it was opened.
    .addColumn('proof_hash', 'varchar(64)', (c) => c.unique())
    .addColumn('proven_at', 'bigint')
    .addColumn('taken_at', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('social_flows_handle').on('social_flows').column('handle').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
