// Counters in the database (SQLite or PostgreSQL): one row per key, updated by one conditional upsert, so racing
// nodes each get their own count and exactly `limit` attempts pass.
import { PostgresAdapter, sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import { prepared, preparedBySize, type Database } from '../../store/index.ts';
import type { Clock } from '../../clock/index.ts';
import { decide, digestKey, windowStartMs } from '../window.ts';
import type { Counted, CounterStore, Limit } from '../types.ts';

// Every sign-in and VPN login reserves its attempt under each of its keys, and a success gives it back.
// A node whose clock is a little behind must not restart a newer window (that would hand out a fresh allowance): a
// window at or after ours is counted into, only an older one is replaced. All right-hand sides read the row as it
// was before this statement, on both databases.
const newer = sql<boolean>`rate_limits.window_start >= excluded.window_start`;
const counting = {
  count: sql<number>`case when ${newer} then rate_limits.count + 1 else 1 end`,
  window_start: sql<number>`case when ${newer} then rate_limits.window_start else excluded.window_start end`,
};

// Each store compiles its own (see `prepared`): no cache outlives the object graph that made it.
function preparedQueries() {
  // What peek (and ensureUnder) reads.
  const currentCount = prepared((db, p: { key: string; start: number }) =>
    db
      .selectFrom('rate_limits')
      .select(['count', 'window_start'])
      .where('key', '=', p.key)
      .where('window_start', '>=', p.start),
  );
  const countOne = prepared((db, p: { key: string; start: number }) =>
    db
      .insertInto('rate_limits')
      .values({ key: p.key, window_start: p.start, count: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet(counting))
      .returning(['count', 'window_start']),
  );
  // Only the window the attempt was counted in: a newer one must not start below zero attempts.
  const giveOneBack = prepared((db, p: { key: string; start: number }) =>
    db
      .updateTable('rate_limits')
      .set((eb) => ({ count: eb('count', '-', 1) }))
      .where('key', '=', p.key)
      .where('window_start', '=', p.start)
      .where('count', '>', 0),
  );
  return { currentCount, countOne, giveOneBack };
}

// One attempt under several keys in one statement: each key's row is counted by the upsert above, a key only while
// the counts before it allowed the attempt (read as they were before this statement: an allowed key's count is below
// its limit). So an attempt a key refuses never reaches the keys after it, as when they were counted one by one.
// Parameters `k0`, `s0` (window start), `l0` (limit), `k1` …
type Params = Record<string, string | number>;
type CountedRow = { key: string; count: number; window_start: number };
function countEachQuery(db: Kysely<Database>, p: Params, size: number) {
  const allowedAt = (j: number) => sql`coalesce((select count from rate_limits
    where ${sql.ref('key')} = ${p[`k${j}`]} and window_start >= ${p[`s${j}`]}), 0) < ${p[`l${j}`]}`;
  const allowedBefore = (i: number) =>
    i === 0
      ? sql`1 = 1`
      : sql.join(
          Array.from({ length: i }, (_, j) => allowedAt(j)),
          sql` and `,
        );
  const row = (i: number) => sql`select ${keyAndWindow(p, i)} where ${allowedBefore(i)}`;
  const rows = sql.join(
    Array.from({ length: size }, (_, i) => row(i)),
    sql` union all `,
  );
  return db
    .insertInto('rate_limits')
    .columns(['key', 'window_start', 'count'])
    .expression(byKey(rows, sql`1`))
    .onConflict((oc) => oc.column('key').doUpdateSet(counting))
    .returning(['key', 'count', 'window_start']);
}

// Gives one back under each key of an attempt, only in the window it was counted in and never below zero, as
// giveOneBack does (`k0`, `s0`, `k1` …). An upsert in key order, as countEach's: an update locks its rows in the order
// it finds them (which changes as rows are rewritten), and two statements locking the same rows in different orders
// wait for each other ("deadlock detected"). It writes only keys whose window is still there (a reset key stays gone).
function giveEachBackInKeyOrderQuery(db: Kysely<Database>, p: Params, size: number) {
  const rows = sql.join(
    Array.from(
      { length: size },
      (_, i) => sql`select ${keyAndWindow(p, i)} where exists (select 1
    from rate_limits where ${sql.ref('key')} = ${p[`k${i}`]} and window_start = ${p[`s${i}`]})`,
    ),
    sql` union all `,
  );
  return db
    .insertInto('rate_limits')
    .columns(['key', 'window_start', 'count'])
    .expression(byKey(rows, sql`0`))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.window_start = excluded.window_start and rate_limits.count > 0
        then rate_limits.count - 1 else rate_limits.count end`,
      }),
    );
}

const keyAndWindow = (p: Params, i: number) =>
  sql`cast(${p[`k${i}`]} as varchar(400)) as k, cast(${p[`s${i}`]} as bigint) as w`;
// Rows in the order of their keys: on PostgreSQL an upsert locks its rows in the order it writes them, and two
// statements locking the same rows in different orders could wait for each other. Sorting also makes SQLite read the
// whole SELECT (the counts before each key) before it writes, as PostgreSQL does; the WHERE keeps the upsert's ON
// from being read as a join's.
const byKey = (rows: RawBuilder<unknown>, count: RawBuilder<unknown>) =>
  sql`select k, w, ${count} as c from (${rows}) as attempt where 1 = 1 order by k`;

export function createSqlCounterStore(db: Kysely<Database>, clock: Clock): CounterStore {
  const { currentCount, countOne, giveOneBack } = preparedQueries();
  const countEach = preparedBySize<Params, CountedRow>(countEachQuery);
  const giveEachBack = preparedBySize(giveEachBackInKeyOrderQuery);
  // On PostgreSQL every statement is a round trip, so an attempt's keys are counted in one. SQLite runs in this
  // process: its one-key statements join the statement batcher's transaction and cost less than the combined one
  // (directory sign-ins ran about 14% slower with it). One upsert cannot change a row twice either: an attempt
  // naming a key twice is counted one key at a time.
  const overNetwork = db.getExecutor().adapter instanceof PostgresAdapter;
  const oneByOne = (keys: string[]) => !overNetwork || keys.length < 2 || new Set(keys).size < keys.length;
  // `key` is digested already (digestKey): each key of an attempt is digested once, not at every step.
  async function countKey(key: string, rule: Limit): Promise<Counted> {
    const now = clock.now();
    const [row] = (await countOne(db, { key, start: windowStartMs(now, rule) })).rows;
    return {
      decision: decide(Number(row.count), Number(row.window_start), rule, now, true),
      window: String(row.window_start),
    };
  }
  const refundKey = async (key: string, window: string) => {
    await giveOneBack(db, { key, start: Number(window) });
  };
  // The keys one statement after the other, stopping at the first that refuses.
  async function countOneByOne(keys: string[], attempts: ReadonlyArray<{ rule: Limit }>) {
    const counted: Array<Counted | undefined> = attempts.map(() => undefined);
    for (const [i, a] of attempts.entries()) {
      counted[i] = await countKey(keys[i], a.rule);
      if (!counted[i].decision.allowed) break;
    }
    return counted;
  }

  const store: CounterStore = {
    consume: (rawKey, rule) => countKey(digestKey(rawKey), rule),

    refund: (rawKey, window) => refundKey(digestKey(rawKey), window),

    async consumeEach(attempts) {
      const keys = attempts.map((a) => digestKey(a.key));
      if (oneByOne(keys)) return countOneByOne(keys, attempts);
      const now = clock.now();
      const params: Params = {};
      for (const [i, a] of attempts.entries()) {
        params[`k${i}`] = keys[i];
        params[`s${i}`] = windowStartMs(now, a.rule);
        params[`l${i}`] = a.rule.limit;
      }
      const rows = new Map((await countEach(keys.length)(db, params)).rows.map((r) => [r.key, r]));
      const counted = attempts.map((a, i): Counted | undefined => {
        const row = rows.get(keys[i]);
        const window = Number(row?.window_start);
        return row && { decision: decide(Number(row.count), window, a.rule, now, true), window: String(window) };
      });
      // On PostgreSQL the counts before a key are read as committed when the statement began: a refund committed
      // meanwhile can leave a key uncounted although none before it refused. The rest is counted now.
      const uncounted = counted.indexOf(undefined);
      if (uncounted === -1 || counted.some((c) => c && !c.decision.allowed)) return counted;
      return [...counted.slice(0, uncounted), ...(await store.consumeEach(attempts.slice(uncounted)))];
    },

    async refundEach(reservation) {
      const keys = reservation.map((r) => digestKey(r.key));
      if (oneByOne(keys)) {
        await Promise.all(reservation.map((r, i) => refundKey(keys[i], r.window)));
        return;
      }
      const params: Params = {};
      for (const [i, r] of reservation.entries()) {
        params[`k${i}`] = keys[i];
        params[`s${i}`] = Number(r.window);
      }
      await giveEachBack(keys.length)(db, params);
    },

    async peek(rawKey, rule) {
      const key = digestKey(rawKey);
      const now = clock.now();
      const start = windowStartMs(now, rule);
      const [row] = (await currentCount(db, { key, start })).rows;
      return row
        ? decide(Number(row.count), Number(row.window_start), rule, now, false)
        : decide(0, start, rule, now, false);
    },

    async reset(rawKey) {
      await db.deleteFrom('rate_limits').where('key', '=', digestKey(rawKey)).execute();
    },

    async purge(olderThanMs) {
      await db
        .deleteFrom('rate_limits')
        .where('window_start', '<', clock.now() - olderThanMs)
        .execute();
    },

    async close() {},
  };
  return store;
}
