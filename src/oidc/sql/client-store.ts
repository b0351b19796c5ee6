import { CompiledQuery, type Kysely } from 'kysely';
import { isUniqueViolation, type Database } from '../../store/index.ts';
import type { ClientStore } from '../store.ts';

export function createSqlClientStore(db: Kysely<Database>): ClientStore {
  // Compiled once: building the query is most of the cost of this hot read.
  const findSql = db.selectFrom('oidc_clients').select('metadata').where('client_id', '=', '').compile().sql;
  return {
    async insert(clientId, metadata, atMs) {
      try {
        await db.insertInto('oidc_clients').values({ client_id: clientId, metadata, created_at: atMs }).execute();
        return 'added';
      } catch (err) {
        if (isUniqueViolation(err)) return 'exists';
        throw err;
      }
    },
    async findMetadata(clientId) {
      const [row] = (await db.executeQuery<{ metadata: string }>(CompiledQuery.raw(findSql, [clientId]))).rows;
      return row?.metadata;
    },
    async list() {
      const rows = await db.selectFrom('oidc_clients').select('metadata').orderBy('client_id').execute();
      return rows.map((r) => r.metadata);
    },
    async remove(clientId) {
      const result = await db.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
