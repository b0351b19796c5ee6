import { sql, type Kysely } from 'kysely';

// The directory sync reads every active workforce account (`tessera directory sync`, identity/workforce.ts). Beside
// a million customer accounts, it read the whole table to find a few thousand staff (a sequential scan on
// PostgreSQL, a full scan on SQLite, measured with EXPLAIN); this partial index holds the staff alone. The other
// lookups of the sign-in, RADIUS and helpdesk paths already use an index at that scale (e-mail, sign-in name by
// lower(), directory id, token serial, tokens by account).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('accounts_workforce_status')
    .on('accounts')
    .column('status')
    .where(sql.ref('kind'), '=', sql.lit('workforce'))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
