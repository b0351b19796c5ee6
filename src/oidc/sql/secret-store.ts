import type { Kysely, Selectable } from 'kysely';
import type { Database, SecretsTable } from '../../store/index.ts';
import type { SecretStore, StoredSecret } from '../store.ts';

const toSecret = (r: Selectable<SecretsTable>): StoredSecret => ({
  name: r.name,
  sealedValue: r.sealed_value,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});
const toRow = (s: StoredSecret) => ({
  name: s.name,
  sealed_value: s.sealedValue,
  created_at: s.createdAt,
  retired_at: s.retiredAt,
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
    async retireByPrefix(prefix, atMs) {
      await db
        .updateTable('secrets')
        .set({ retired_at: atMs })
        .where('name', 'like', `${prefix}%`)
        .where('retired_at', 'is', null)
        .execute();
    },
  };
}
