// The rate limiter every edge uses: one interface over the database or Redis, rules checked once here.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';
import { createSqlCounterStore } from './sql/counter-store.ts';
import { createRedisCounterStore } from './redis/counter-store.ts';
import { checkRule, defaultMaxWindowSeconds, digestKey } from './window.ts';
import { RateLimitedError, type CounterStore, type Limit, type RateLimiter } from './types.ts';

export type RateLimiterBackend =
  | { kind: 'database'; db: Kysely<Database>; maxWindowSeconds?: number }
  | { kind: 'redis'; url: string; prefix: string; maxWindowSeconds?: number };

/**
 * `{ kind: 'database', db }` counts in the Tessera database (the embedded default, and enough for a cluster on
 * PostgreSQL); `{ kind: 'redis', url, prefix }` counts in Redis. Rules may not exceed `maxWindowSeconds`
 * (a day by default), which is also how long purge() keeps rows. Passing a Kysely instance directly is the older
 * form of `{ kind: 'database', db }`.
 */
export function createRateLimiter(backend: RateLimiterBackend | Kysely<Database>, clock: Clock): RateLimiter {
  const b: RateLimiterBackend = 'kind' in backend ? backend : { kind: 'database', db: backend };
  const maxWindowSeconds = b.maxWindowSeconds ?? defaultMaxWindowSeconds;
  const store: CounterStore = b.kind === 'redis'
    ? createRedisCounterStore({ url: b.url, prefix: b.prefix }, clock)
    : createSqlCounterStore(b.db, clock);
  // Bad rules and keys are refused before anything is counted, the same way on every backend.
  const checked = (key: string, rule: Limit) => { digestKey(key); checkRule(rule, maxWindowSeconds); };

  const limiter: RateLimiter = {
    async consume(key, rule) { checked(key, rule); return store.consume(key, rule); },
    async peek(key, rule) { checked(key, rule); return store.peek(key, rule); },
    async reset(key) { digestKey(key); await store.reset(key); },
    async check(attempts) {
      for (const a of attempts) checked(a.key, a.rule);
      const decisions = await Promise.all(attempts.map((a) => store.consume(a.key, a.rule)));
      const refused = decisions.filter((d) => !d.allowed);
      if (refused.length) throw new RateLimitedError(Math.max(...refused.map((d) => d.retryAfterSeconds)));
    },
    async ensureUnder(key, rule) {
      const decision = await limiter.peek(key, rule);
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    },
    async limitFailures(limits, attempt, counts = () => true) {
      for (const l of limits) await limiter.ensureUnder(l.key, l.rule);
      try {
        return await attempt();
      } catch (error) {
        // A refusal by a limit is not a failure of the person's.
        if (!(error instanceof RateLimitedError) && counts(error)) for (const l of limits) await limiter.consume(l.key, l.rule);
        throw error;
      }
    },
    async purge(olderThanMs) {
      await store.purge(Math.max(olderThanMs ?? 0, maxWindowSeconds * 1000));
    },
    close: () => store.close(),
  };
  return limiter;
}
