// Attempt limits shared by every node, counted in the database: sign-in, sign-up, verification mail, e-mail change
// and the OTP validate API are limited per source address and per account. A limit throttles, it never locks an
// account for good (ASVS V6.3.1, checklist T8): the person gets in again once the window has passed.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

export interface Limit {
  limit: number;
  windowSeconds: number;
}

export interface LimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

export class RateLimitedError extends Error {
  readonly code = 'web.rate_limited';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('web.rate_limited');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

// Keys carry what people typed (names, addresses): stored as a digest, they have one length and no byte (NUL,
// invalid UTF-8) a database could choke on, and the table holds no personal data.
const digest = (key: string) => createHash('sha256').update(key).digest('base64url');

export function createRateLimiter(db: Kysely<Database>, clock: Clock) {
  async function consume(rawKey: string, rule: Limit): Promise<LimitDecision> {
    const key = digest(rawKey);
    const windowMs = rule.windowSeconds * 1000;
    const windowStart = Math.floor(clock.now() / windowMs) * windowMs;
    // One statement: a new window starts the count at 1, the same window adds 1; racing nodes each get their own count.
    const row = await db.insertInto('rate_limits').values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end`,
        window_start: sql<number>`excluded.window_start`,
      }))
      .returning('count').executeTakeFirstOrThrow();
    return { allowed: row.count <= rule.limit, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - clock.now()) / 1000)) };
  }

  return {
    consume,
    /** Refuses when the key is already over its limit, without counting an attempt (for counting failures only). */
    async ensureUnder(rawKey: string, rule: Limit): Promise<void> {
      const windowMs = rule.windowSeconds * 1000;
      const windowStart = Math.floor(clock.now() / windowMs) * windowMs;
      const row = await db.selectFrom('rate_limits').select('count').where('key', '=', digest(rawKey)).where('window_start', '=', windowStart).executeTakeFirst();
      if (row && row.count >= rule.limit) throw new RateLimitedError(Math.max(1, Math.ceil((windowStart + windowMs - clock.now()) / 1000)));
    },
    /** Counts one attempt under every key; refuses when any of them is over its limit. */
    async check(attempts: Array<{ key: string; rule: Limit }>): Promise<void> {
      const decisions = await Promise.all(attempts.map((a) => consume(a.key, a.rule)));
      const refused = decisions.filter((d) => !d.allowed);
      if (refused.length) throw new RateLimitedError(Math.max(...refused.map((d) => d.retryAfterSeconds)));
    },
    /** Forgets a key (e.g. an account's failures after a successful sign-in). */
    async reset(key: string): Promise<void> {
      await db.deleteFrom('rate_limits').where('key', '=', digest(key)).execute();
    },
    async purge(olderThanMs: number): Promise<void> {
      await db.deleteFrom('rate_limits').where('window_start', '<', clock.now() - olderThanMs).execute();
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
