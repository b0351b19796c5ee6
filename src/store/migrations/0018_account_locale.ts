import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The language the person last used on Tessera's pages (issue 22): their mails, SMS and VPN Reply-Messages are
  // written in it. Empty until they use a page; then the request's language applies.
  await db.schema.alterTable('accounts').addColumn('locale', 'varchar(16)').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
