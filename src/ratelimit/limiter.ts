// The rate limiter every edge uses: one interface over the database or Redis, rules checked once here.
import { checkKey, checkRule, defaultMaxWindowSeconds } from './window.ts';
import { RateLimitedError, type CounterStore, type Limit, type RateLimiter } from './types.ts';

/**
 * Counts in `store`: `createSqlCounterStore` counts in the Tessera database (the embedded default, and enough for a
 * cluster on PostgreSQL), `createRedisCounterStore` in Redis. Rules may not exceed `maxWindowSeconds` (a day by
 * default), which is also how long purge() keeps rows.
 */
export function createRateLimiter(store: CounterStore, options: { maxWindowSeconds?: number } = {}): RateLimiter {
  const maxWindowSeconds = options.maxWindowSeconds ?? defaultMaxWindowSeconds;
  // Bad rules and keys are refused before anything is counted, the same way on every backend.
  const checked = (key: string, rule: Limit) => {
    checkKey(key);
    checkRule(rule, maxWindowSeconds);
  };

  // Attempts are reserved before they run (counted first, given back when they turn out not to count): a count
  // read before the attempt and written after it would let every parallel attempt through (checklist T45).
  type Reservation = Array<{ key: string; window: string }>;
  // A refund that cannot be made (the store went away) leaves an attempt counted that did not fail: the limit errs
  // toward throttling, and the attempt's own answer, already decided, stands.
  const refund = async (reservation: Reservation) => {
    await store.refundEach(reservation).catch(() => {});
  };
  // The keys are counted in the caller's order, in one round trip (consumeEach): an attempt a key refuses never
  // reaches the keys after it, and what it counted is given back (the attempt never ran). So a source that is
  // throttled cannot spend a shared allowance, e.g. an attacker's address the victim account's.
  async function reserve(attempts: ReadonlyArray<{ key: string; rule: Limit }>): Promise<Reservation> {
    for (const a of attempts) checked(a.key, a.rule);
    const counted = await store.consumeEach(attempts);
    const reservation = attempts.flatMap((a, i) => (counted[i] ? [{ key: a.key, window: counted[i].window }] : []));
    const refused = counted.find((c) => c !== undefined && !c.decision.allowed);
    if (refused) {
      await refund(reservation);
      throw new RateLimitedError(refused.decision.retryAfterSeconds);
    }
    return reservation;
  }

  const limiter: RateLimiter = {
    async consume(key, rule) {
      checked(key, rule);
      return (await store.consume(key, rule)).decision;
    },
    async peek(key, rule) {
      checked(key, rule);
      return store.peek(key, rule);
    },
    async reset(key) {
      checkKey(key);
      await store.reset(key);
    },
    async check(attempts) {
      await reserve(attempts);
    },
    async ensureUnder(key, rule) {
      const decision = await limiter.peek(key, rule);
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    },
    async limitFailures(limits, attempt, counts = () => true) {
      const reservation = await reserve(limits);
      let result;
      try {
        result = await attempt();
      } catch (error) {
        // A refusal by a limit is not a failure of the person's, nor is what the caller says does not count (the
        // directory being down).
        if (error instanceof RateLimitedError || !counts(error)) await refund(reservation);
        throw error;
      }
      // A success costs nothing.
      await refund(reservation);
      return result;
    },
    async purge(olderThanMs) {
      await store.purge(Math.max(olderThanMs ?? 0, maxWindowSeconds * 1000));
    },
    close: () => store.close(),
  };
  return limiter;
}
