import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { NodeStore } from '../nodes.ts';

export function createSqlNodeStore(db: Kysely<Database>): NodeStore {
  return {
    exclusively(work) {
      return db.transaction().execute(async (tx) => {
        // Two nodes joining at once with different values must not both pass: one checks after the other has written.
        // SQLite serves one process, and its transaction serializes anyway.
        if (db.getExecutor().adapter instanceof PostgresAdapter)
          await sql`select pg_advisory_xact_lock(hashtext('tessera:cluster-nodes'))`.execute(tx);
        return work(createSqlNodeStore(tx));
      });
    },
    async live(sinceMs) {
      await db.deleteFrom('cluster_nodes').where('seen_at', '<', sinceMs).execute();
      const rows = await db.selectFrom('cluster_nodes').selectAll().execute();
      return rows.map((r) => ({
        id: r.id,
        settings: JSON.parse(r.settings),
        startedAt: Number(r.started_at),
        seenAt: Number(r.seen_at),
      }));
    },
    async put(row) {
      await db
        .insertInto('cluster_nodes')
        .values({ id: row.id, settings: JSON.stringify(row.settings), started_at: row.startedAt, seen_at: row.seenAt })
        .execute();
    },
    async touch(id, atMs) {
      await db.updateTable('cluster_nodes').set({ seen_at: atMs }).where('id', '=', id).execute();
    },
    async remove(id) {
      await db.deleteFrom('cluster_nodes').where('id', '=', id).execute();
    },
  };
}
