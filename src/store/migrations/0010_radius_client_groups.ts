import type { Kysely } from 'kysely';

// The directory groups a stored VPN gateway lets through, as a JSON array of names; '[]' lets every staff account in.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('radius_clients')
    .addColumn('allowed_groups', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
