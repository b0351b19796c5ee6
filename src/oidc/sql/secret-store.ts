import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SecretsTable } from '../../store/index.ts';
import type { SecretStore, StoredSecret } from '../store.ts';

const toSecret = (r: Selectable<SecretsTable>): StoredSecret => ({
  name: r.name,
  sealedValue: r.sealed_value,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
  activatedAt: r.activated_at,
});
const toRow = (s: StoredSecret) => ({
  name: s.name,
  sealed_value: s.sealedValue,
  created_at: s.createdAt,
  retired_at: s.retiredAt,
  activated_at: s.activatedAt ?? null,
});

export function createSqlSecretStore(db: Kysely<Database>): SecretStore {
  return {
    async listByPrefix(prefix) {
      const rows = await db
        .selectFrom('secrets')
        .selectAll()
        .where('name', 'like', `${prefix}%`)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toSecret);
    },
    async find(name) {
      const row = await db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toSecret(row);
    },
    async insert(secret) {
      await db.insertInto('secrets').values(toRow(secret)).execute();
    },
    async insertIfAbsent(secret) {
      await db
        .insertInto('secrets')
        .values(toRow(secret))
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    },
    exclusively(name, work) {
      return db.transaction().execute(async (tx) => {
        // PostgreSQL: an advisory lock held until commit. SQLite: one database file has one writer at a time and one
        // process serves it, so the transaction alone serializes.
        if (db.getExecutor().adapter instanceof PostgresAdapter)
          await sql`select pg_advisory_xact_lock(hashtext(${`tessera:${name}`}))`.execute(tx);
        return work(createSqlSecretStore(tx));
      });
    },
    async update(name, change) {
      await db
        .updateTable('secrets')
        .set({
          ...(change.activatedAt === undefined ? {} : { activated_at: change.activatedAt }),
          ...(change.retiredAt === undefined ? {} : { retired_at: change.retiredAt }),
        })
        .where('name', '=', name)
        .execute();
    },
  };
}
