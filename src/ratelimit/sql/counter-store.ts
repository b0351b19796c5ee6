// Counters in the database (SQLite or PostgreSQL): one row per key, updated by one conditional upsert, so racing
// nodes each get their own count and exactly `limit` attempts pass.
import { sql, type Kysely } from 'kysely';
import { prepared, type Database } from '../../store/index.ts';
import type { Clock } from '../../clock/index.ts';
import { decide, digestKey, windowStartMs } from '../window.ts';
import type { CounterStore } from '../types.ts';

// Each store compiles its own (see `prepared`): no cache outlives the object graph that made it.
function preparedQueries() {
  // What peek (and ensureUnder) reads.
  const currentCount = prepared((db, p: { key: string; start: number }) =>
    db.selectFrom('rate_limits').select(['count', 'window_start']).where('key', '=', p.key).where('window_start', '>=', p.start));

  // Every sign-in and VPN login reserves its attempt under each of its keys, and a success gives it back.
  // A node whose clock is a little behind must not restart a newer window (that would hand out a fresh allowance): a
  // window at or after ours is counted into, only an older one is replaced. All right-hand sides read the row as it
  // was before this statement, on both databases.
  const newer = sql<boolean>`rate_limits.window_start >= excluded.window_start`;
  const countOne = prepared((db, p: { key: string; start: number }) =>
    db.insertInto('rate_limits').values({ key: p.key, window_start: p.start, count: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet({
        count: sql<number>`case when ${newer} then rate_limits.count + 1 else 1 end`,
        window_start: sql<number>`case when ${newer} then rate_limits.window_start else excluded.window_start end`,
      }))
      .returning(['count', 'window_start']));
  // Only the window the attempt was counted in: a newer one must not start below zero attempts.
  const giveOneBack = prepared((db, p: { key: string; start: number }) =>
    db.updateTable('rate_limits').set((eb) => ({ count: eb('count', '-', 1) }))
      .where('key', '=', p.key).where('window_start', '=', p.start).where('count', '>', 0));
  return { currentCount, countOne, giveOneBack };
}

export function createSqlCounterStore(db: Kysely<Database>, clock: Clock): CounterStore {
  const { currentCount, countOne, giveOneBack } = preparedQueries();
  return {
    async consume(rawKey, rule) {
      const now = clock.now();
      const [row] = (await countOne(db, { key: digestKey(rawKey), start: windowStartMs(now, rule) })).rows;
      return { decision: decide(Number(row.count), Number(row.window_start), rule, now, true), window: String(row.window_start) };
    },

    async refund(rawKey, window) {
      await giveOneBack(db, { key: digestKey(rawKey), start: Number(window) });
    },

    async peek(rawKey, rule) {
      const key = digestKey(rawKey);
      const now = clock.now();
      const start = windowStartMs(now, rule);
      const [row] = (await currentCount(db, { key, start })).rows;
      return row ? decide(Number(row.count), Number(row.window_start), rule, now, false) : decide(0, start, rule, now, false);
    },

    async reset(rawKey) {
      await db.deleteFrom('rate_limits').where('key', '=', digestKey(rawKey)).execute();
    },

    async purge(olderThanMs) {
      await db.deleteFrom('rate_limits').where('window_start', '<', clock.now() - olderThanMs).execute();
    },

    async close() {},
  };
}
