// One suite, every backend: SQLite, PostgreSQL and Redis must answer the same way, including under concurrency
// from two nodes (two limiters with their own connections to one shared store).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock, type Clock } from '../clock/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/support/databases.ts';
import {
  dropRedisPrefix,
  openRedisTestClient,
  redisTestPrefix,
  redisTestUrl,
  testRedis,
} from '../../test/support/redis.ts';
import {
  createRateLimiter,
  createRedisCounterStore,
  createSqlCounterStore,
  RateLimitedError,
  type RateLimiter,
} from './index.ts';

type Backend = 'sqlite' | 'postgres' | 'redis';
const backends: Backend[] = [...(await testDialects()), ...((await testRedis()) ? ['redis' as const] : [])];

/** Opens limiters ("nodes") on one shared store for the suite being declared; everything is closed after it. */
function useBackend(backend: Backend) {
  const opened: RateLimiter[] = [];
  const stores: Store[] = [];
  let database: TestDatabase | undefined;
  const prefix = redisTestPrefix();
  before(async () => {
    if (backend === 'redis') return;
    database = await createTestDatabase(backend);
    stores.push(openStore(database.url), openStore(database.url));
    await stores[0].migrate();
  });
  after(async () => {
    await Promise.all(opened.map((l) => l.close()));
    await Promise.all(stores.map((s) => s.close()));
    await database?.drop();
    if (backend === 'redis') await dropRedisPrefix(prefix);
  });
  return {
    node(clock: Clock, which = 0): RateLimiter {
      const limiter =
        backend === 'redis'
          ? createRateLimiter(createRedisCounterStore({ url: redisTestUrl, prefix }, clock))
          : createRateLimiter(createSqlCounterStore(stores[which].counters, clock));
      opened.push(limiter);
      return limiter;
    },
    get db() {
      return stores[0].db;
    },
    prefix,
  };
}

const rule = { limit: 3, windowSeconds: 60 };

for (const backend of backends) {
  describe(`rate limiter on ${backend}`, () => {
    const fixture = useBackend(backend);

    it('allows exactly the limit among 50 simultaneous attempts from two nodes', async () => {
      const clock = manualClock();
      const [a, b] = [fixture.node(clock, 0), fixture.node(clock, 1)];
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).consume('signin:source:203.0.113.9', { limit: 10, windowSeconds: 60 }),
        ),
      );
      assert.equal(decisions.filter((d) => d.allowed).length, 10);
      assert.deepEqual(
        decisions
          .filter((d) => d.allowed)
          .map((d) => d.remaining)
          .sort((x, y) => x - y),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      assert.ok(
        decisions
          .filter((d) => !d.allowed)
          .every((d) => d.remaining === 0 && d.retryAfterSeconds > 0 && d.retryAfterSeconds <= 60),
      );
    });

    it('counts down, then refuses with the time left in the window', async () => {
      const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 15));
      const limiter = fixture.node(clock);
      assert.deepEqual(await limiter.consume('countdown', rule), { allowed: true, remaining: 2, retryAfterSeconds: 0 });
      assert.deepEqual(await limiter.consume('countdown', rule), { allowed: true, remaining: 1, retryAfterSeconds: 0 });
      assert.deepEqual(await limiter.consume('countdown', rule), { allowed: true, remaining: 0, retryAfterSeconds: 0 });
      assert.deepEqual(await limiter.consume('countdown', rule), {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: 45,
      });
    });

    it('throttles but never locks: a flood does not lengthen the wait, and the next window allows again (T8)', async () => {
      const clock = manualClock();
      const limiter = fixture.node(clock);
      for (let i = 0; i < 3; i++) await limiter.consume('victim', rule);
      clock.advance(30_000);
      for (let i = 0; i < 40; i++) assert.equal((await limiter.consume('victim', rule)).allowed, false);
      assert.equal((await limiter.consume('victim', rule)).retryAfterSeconds, 30);
      clock.advance(30_000);
      assert.deepEqual(await limiter.consume('victim', rule), { allowed: true, remaining: 2, retryAfterSeconds: 0 });
    });

    it('peeks without counting, and check/ensureUnder throw a typed 429 error', async () => {
      const limiter = fixture.node(manualClock());
      assert.deepEqual(await limiter.peek('peeked', rule), { allowed: true, remaining: 3, retryAfterSeconds: 0 });
      await limiter.ensureUnder('peeked', rule);
      await limiter.check([
        { key: 'peeked', rule },
        { key: 'peeked-too', rule },
      ]);
      assert.deepEqual(await limiter.peek('peeked', rule), { allowed: true, remaining: 2, retryAfterSeconds: 0 });
      await limiter.check([{ key: 'peeked', rule }]);
      await limiter.check([{ key: 'peeked', rule }]);
      assert.equal((await limiter.peek('peeked', rule)).allowed, false);
      await assert.rejects(limiter.ensureUnder('peeked', rule), { code: 'ratelimit.throttled', retryAfterSeconds: 60 });
      await assert.rejects(
        limiter.check([
          { key: 'fresh', rule },
          { key: 'peeked', rule },
        ]),
        { code: 'ratelimit.throttled' },
      );
    });

    it('counts only failures with limitFailures, under every key, and runs nothing once a key is full', async () => {
      const limiter = fixture.node(manualClock());
      const limits = [
        { key: 'lf-account', rule },
        { key: 'lf-source', rule },
      ];
      let runs = 0;
      assert.equal(
        await limiter.limitFailures(limits, async () => {
          runs++;
          return 'ok';
        }),
        'ok',
      );
      assert.equal((await limiter.peek('lf-account', rule)).remaining, 3, 'a success costs nothing');
      const wrong = Object.assign(new Error('wrong password'), { code: 'identity.invalid_credentials' });
      const outage = Object.assign(new Error('down'), { code: 'directory.unreachable' });
      const notOutage = (err: unknown) => (err as { code?: string }).code !== 'directory.unreachable';
      await assert.rejects(
        limiter.limitFailures(
          limits,
          async () => {
            runs++;
            throw outage;
          },
          notOutage,
        ),
        outage,
      );
      assert.equal(
        (await limiter.peek('lf-source', rule)).remaining,
        3,
        'a failure the caller does not count is not counted',
      );
      for (let i = 0; i < 3; i++)
        await assert.rejects(
          limiter.limitFailures(
            limits,
            async () => {
              runs++;
              throw wrong;
            },
            notOutage,
          ),
          wrong,
        );
      assert.equal((await limiter.peek('lf-source', rule)).allowed, false, 'counted under every key');
      await assert.rejects(
        limiter.limitFailures(limits, async () => {
          runs++;
        }),
        { code: 'ratelimit.throttled' },
      );
      assert.equal(runs, 5, 'the attempt does not run once a key is full');
    });

    it('runs exactly the limit among 200 parallel failing attempts from two nodes, and counts exactly that (T45)', async () => {
      const clock = manualClock();
      const [a, b] = [fixture.node(clock, 0), fixture.node(clock, 1)];
      const signIn = { limit: 20, windowSeconds: 300 };
      const wrong = Object.assign(new Error('wrong password'), { code: 'identity.invalid_credentials' });
      let runs = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 ? a : b).limitFailures([{ key: 'par-account', rule: signIn }], async () => {
            runs++;
            await new Promise((resolve) => setImmediate(resolve));
            throw wrong;
          }),
        ),
      );
      assert.equal(runs, 20, 'attempts that ran');
      const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'accepted'));
      assert.equal(reasons.filter((c) => c === 'identity.invalid_credentials').length, 20);
      assert.equal(reasons.filter((c) => c === 'ratelimit.throttled').length, 180);
      // The refused attempts gave their counts back: one more than the limit would now allow exactly one more.
      assert.equal((await a.peek('par-account', { limit: 21, windowSeconds: 300 })).remaining, 1);
    });

    it('gives back what an attempt counted when a key refuses it, so a throttled source cannot spend an account', async () => {
      const limiter = fixture.node(manualClock());
      for (let i = 0; i < 3; i++) await limiter.consume('rk-full', rule);
      await assert.rejects(
        limiter.check([
          { key: 'rk-shared', rule },
          { key: 'rk-full', rule },
        ]),
        { code: 'ratelimit.throttled' },
      );
      await assert.rejects(
        limiter.limitFailures(
          [
            { key: 'rk-shared', rule },
            { key: 'rk-full', rule },
          ],
          async () => assert.fail('ran'),
        ),
        { code: 'ratelimit.throttled' },
      );
      assert.equal((await limiter.peek('rk-shared', rule)).remaining, 3, 'the key before the full one');
      assert.equal(
        (await limiter.peek('rk-full', { limit: 4, windowSeconds: 60 })).remaining,
        1,
        'and the full key itself',
      );
      // 200 parallel failures from one source (5 allowed) at an account that allows 50: the account sees 5.
      const perSource = { limit: 5, windowSeconds: 60 };
      const perAccount = { limit: 50, windowSeconds: 60 };
      let runs = 0;
      await Promise.allSettled(
        Array.from({ length: 200 }, () =>
          limiter.limitFailures(
            [
              { key: 'rk-source', rule: perSource },
              { key: 'rk-account', rule: perAccount },
            ],
            async () => {
              runs++;
              await new Promise((resolve) => setImmediate(resolve));
              throw new Error('wrong password');
            },
          ),
        ),
      );
      assert.equal(runs, 5);
      assert.equal(
        (await limiter.peek('rk-account', perAccount)).remaining,
        45,
        'only the attempts that ran were counted against the account',
      );
    });

    it('counts an attempt under its keys at once, as one by one: a refusing key stops the keys after it', async () => {
      const limiter = fixture.node(manualClock());
      const first = { limit: 3, windowSeconds: 60 };
      const second = { limit: 2, windowSeconds: 300 };
      const third = { limit: 10, windowSeconds: 900 };
      const limits = [
        { key: 'ce-pair', rule: first },
        { key: 'ce-source', rule: second },
        { key: 'ce-account', rule: third },
      ];
      await limiter.check(limits);
      await limiter.check(limits);
      const full = { code: 'ratelimit.throttled', retryAfterSeconds: 300 };
      await assert.rejects(limiter.check(limits), full, 'the second key is full');
      const remaining = await Promise.all(limits.map(async (l) => (await limiter.peek(l.key, l.rule)).remaining));
      assert.deepEqual(remaining, [1, 0, 8], 'the refused attempt gave back its counts, never reached the third key');
      const other = [
        { key: 'ce-source', rule: second },
        { key: 'ce-other', rule: third },
      ];
      await assert.rejects(limiter.check(other), { code: 'ratelimit.throttled' });
      assert.equal((await limiter.peek('ce-other', third)).remaining, 10);
      await limiter.check([
        { key: 'ce-twice', rule: first },
        { key: 'ce-twice', rule: first },
      ]);
      assert.equal((await limiter.peek('ce-twice', first)).remaining, 1, 'a key named twice counts twice');
    });

    it('serves 200 parallel attempts naming two keys in either order from two nodes, each given back', async () => {
      const clock = manualClock();
      const [a, b] = [fixture.node(clock, 0), fixture.node(clock, 1)];
      const wide = { limit: 1000, windowSeconds: 60 };
      const pair = [
        { key: 'dl-one', rule: wide },
        { key: 'dl-two', rule: wide },
      ];
      // Rows locked in different orders by two statements would wait for each other (PostgreSQL: "deadlock detected").
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 ? a : b).limitFailures(i % 4 < 2 ? pair : [...pair].reverse(), async () => 'ok'),
        ),
      );
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected'),
        [],
      );
      for (const { key } of pair) assert.equal((await a.peek(key, wide)).remaining, 1000, key);
    });

    if (backend !== 'redis') {
      // PostgreSQL: one round trip for all of an attempt's keys. SQLite, in this process: a statement per key (they
      // join the statement batcher's transaction), stopping at the key that refuses.
      const batched = backend === 'postgres';
      it(`takes ${batched ? 'one statement' : 'a statement per key'} to reserve and to give back`, async () => {
        let statements = 0;
        const counting = fixture.db.withPlugin({
          transformQuery: (args) => args.node,
          transformResult: async (args) => {
            statements++;
            return args.result;
          },
        });
        const limiter = createRateLimiter(createSqlCounterStore(counting, manualClock()));
        const limits = [
          { key: 'st-pair', rule },
          { key: 'st-source', rule },
          { key: 'st-account', rule },
        ];
        try {
          const counted = async (run: () => Promise<unknown>) => {
            statements = 0;
            await run().catch(() => {});
            return statements;
          };
          const fail = async () => {
            throw new Error('wrong');
          };
          const keys = batched ? 1 : limits.length;
          assert.equal(await counted(() => limiter.check(limits)), keys);
          const succeed = async () => 'ok';
          assert.equal(await counted(() => limiter.limitFailures(limits, succeed)), 2 * keys, 'a success gives back');
          assert.equal(await counted(() => limiter.limitFailures(limits, fail)), keys);
          assert.equal(await counted(() => limiter.check(limits)), keys, 'the third attempt of three');
          assert.equal(await counted(() => limiter.check(limits)), 2, 'refused at the first key, and given back');
        } finally {
          await limiter.close();
        }
      });
    }

    it('reserves an attempt while it runs, and gives the reservation of a success or an uncounted failure back', async () => {
      const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 10));
      const limiter = fixture.node(clock);
      const limits = [{ key: 'rs-account', rule }];
      const seen: number[] = [];
      assert.equal(
        await limiter.limitFailures(limits, async () => {
          seen.push((await limiter.peek('rs-account', rule)).remaining);
          return 'ok';
        }),
        'ok',
      );
      assert.deepEqual(seen, [2], 'counted while it ran');
      assert.equal((await limiter.peek('rs-account', rule)).remaining, 3, 'given back after the success');
      const outage = Object.assign(new Error('down'), { code: 'directory.unreachable' });
      await assert.rejects(
        limiter.limitFailures(
          limits,
          async () => {
            throw outage;
          },
          (e) => e !== outage,
        ),
        outage,
      );
      await assert.rejects(
        limiter.limitFailures(limits, async () => {
          throw new RateLimitedError(5);
        }),
        { code: 'ratelimit.throttled' },
      );
      assert.equal(
        (await limiter.peek('rs-account', rule)).remaining,
        3,
        'given back after an outage and a nested refusal',
      );
      // A refund never reaches into the next window: an attempt that outlived its window leaves the new one alone.
      await assert.rejects(
        limiter.limitFailures(limits, async () => {
          throw new Error('wrong');
        }),
      );
      const slow = limiter.limitFailures(limits, async () => {
        clock.advance(60_000);
        await limiter.consume('rs-account', rule);
        return 'ok';
      });
      assert.equal(await slow, 'ok');
      assert.equal((await limiter.peek('rs-account', rule)).remaining, 2, 'the new window keeps its one attempt');
    });

    it('keeps keys apart and resets only the key asked for', async () => {
      const limiter = fixture.node(manualClock());
      for (const key of ['alice', 'bob']) for (let i = 0; i < 3; i++) await limiter.consume(key, rule);
      await limiter.reset('alice');
      assert.equal((await limiter.consume('alice', rule)).remaining, 2);
      assert.equal((await limiter.consume('bob', rule)).allowed, false);
    });

    it('does not let a node whose clock is behind restart a newer window', async () => {
      const ahead = manualClock(Date.UTC(2026, 0, 1, 0, 1, 0, 500));
      const behind = manualClock(Date.UTC(2026, 0, 1, 0, 0, 59, 900));
      const [a, b] = [fixture.node(ahead, 0), fixture.node(behind, 1)];
      for (let i = 0; i < 3; i++) await a.consume('skewed', rule);
      assert.equal((await b.consume('skewed', rule)).allowed, false);
      assert.equal((await b.peek('skewed', rule)).allowed, false);
    });

    it('refuses bad rules and keys with a typed error, counting nothing', async () => {
      const limiter = fixture.node(manualClock());
      const bad = [
        { limit: 0, windowSeconds: 60 },
        { limit: -1, windowSeconds: 60 },
        { limit: 1.5, windowSeconds: 60 },
        { limit: Number.NaN, windowSeconds: 60 },
        { limit: 3, windowSeconds: 0 },
        { limit: 3, windowSeconds: 86_401 },
        { limit: '3', windowSeconds: 60 },
        null,
      ] as never[];
      for (const r of bad)
        await assert.rejects(limiter.consume('bad-rule', r), { code: 'ratelimit.invalid_rule' }, JSON.stringify(r));
      await assert.rejects(
        limiter.check([
          { key: 'bad-rule', rule },
          { key: 'bad-rule', rule: bad[0] },
        ]),
        { code: 'ratelimit.invalid_rule' },
      );
      for (const key of ['', undefined, 42] as never[])
        await assert.rejects(limiter.consume(key, rule), { code: 'ratelimit.invalid_key' });
      assert.equal((await limiter.peek('bad-rule', rule)).remaining, 3);
    });

    it('keeps hostile keys as data', async () => {
      const limiter = fixture.node(manualClock());
      const hostile = [
        `x'); DROP TABLE rate_limits; --`,
        'alice\u0000',
        '\ud800',
        'k'.repeat(100_000),
        '*',
        `${fixture.prefix}*`,
      ];
      for (const key of hostile)
        assert.equal((await limiter.consume(key, { limit: 1, windowSeconds: 60 })).allowed, true, key.slice(0, 40));
      for (const key of hostile)
        assert.equal((await limiter.consume(key, { limit: 1, windowSeconds: 60 })).allowed, false, key.slice(0, 40));
    });

    it('forgets ended windows: purge() in the database, expiry in Redis, never a live counter', async () => {
      const clock = manualClock();
      const limiter = fixture.node(clock);
      await limiter.consume('old', { limit: 1, windowSeconds: 60 });
      clock.advance(2 * 24 * 3600_000);
      await limiter.consume('live', { limit: 1, windowSeconds: 86_400 });
      await limiter.purge(0);
      assert.equal((await limiter.consume('live', { limit: 1, windowSeconds: 86_400 })).allowed, false);
      if (backend === 'redis') {
        const client = openRedisTestClient();
        try {
          const keys = await client.keys(`${fixture.prefix}*`);
          const ttls = await Promise.all(keys.map((k) => client.pttl(k)));
          assert.ok(
            ttls.every((ms) => ms > 0 && ms <= 86_400_000),
            `every key expires with its window: ${ttls}`,
          );
        } finally {
          client.disconnect();
        }
      } else {
        const rows = await fixture.db.selectFrom('rate_limits').select('window_start').execute();
        assert.ok(
          rows.length > 0 && rows.every((r) => Number(r.window_start) >= clock.now() - 86_400_000),
          'only live windows remain',
        );
      }
    });
  });
}

describe('rate limiter without its Redis', () => {
  it('fails closed with a typed error instead of allowing', async () => {
    const nowhere = createRedisCounterStore({ url: 'redis://127.0.0.1:1', prefix: 'nowhere:' }, manualClock());
    const limiter = createRateLimiter(nowhere);
    try {
      await assert.rejects(limiter.consume('k', rule), { code: 'ratelimit.unavailable' });
      await assert.rejects(limiter.check([{ key: 'k', rule }]), { code: 'ratelimit.unavailable' });
    } finally {
      await limiter.close();
    }
  });
});
