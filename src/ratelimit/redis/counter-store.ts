// Counters in Redis: one hash per key ({ w: window start, c: count }) changed by one Lua script, which Redis runs
// atomically, so racing nodes each get their own count. Keys expire with their window; nothing needs purging.
import { Redis } from 'ioredis';
import type { Clock } from '../../clock/index.ts';
import { decide, digestKey, windowStartMs } from '../window.ts';
import { RateLimitError, type CounterStore } from '../types.ts';

// Same rule as the database: count into a window at or after ours (a node whose clock is behind must not restart
// a newer window), replace only an older one. The key lives until its window ends, by the caller's clock.
// ARGV: window start (ms), window length (ms), now (ms). Returns { count, window start }.
const consumeScript = `
local start = tonumber(ARGV[1])
local raw = redis.call('HGET', KEYS[1], 'w')
local stored = tonumber(raw)
local count
local startText = ARGV[1]
if stored and stored >= start then
  count = redis.call('HINCRBY', KEYS[1], 'c', 1)
  start = stored
  startText = raw
else
  redis.call('HSET', KEYS[1], 'w', ARGV[1], 'c', 1)
  count = 1
end
local ttl = start + tonumber(ARGV[2]) - tonumber(ARGV[3])
if ttl < 1000 then ttl = 1000 end
redis.call('PEXPIRE', KEYS[1], math.floor(ttl))
return { count, startText }
`;

// Takes one count back, only from the window the attempt was counted in (ARGV[1], as consume returned it) and never
// below zero; an ended window's key may already be gone.
const refundScript = `
if redis.call('HGET', KEYS[1], 'w') == ARGV[1] and tonumber(redis.call('HGET', KEYS[1], 'c') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 0
`;

export interface RedisCounterOptions {
  url: string;
  /** Prepended to every key, so several Tessera installations (or test runs) can share one Redis. */
  prefix: string;
}

export function createRedisCounterStore(o: RedisCounterOptions, clock: Clock): CounterStore {
  // Commands wait at most one reconnection: a login must not hang on a Redis that is gone.
  const redis = new Redis(o.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true });
  redis.on('error', () => { /* each command reports its own failure as ratelimit.unavailable */ });
  const redisKey = (rawKey: string) => `${o.prefix}${digestKey(rawKey)}`;
  // A missing counter store is not "no limit": the caller refuses the attempt (fail closed) and says why.
  const unavailable = (err: unknown) => { throw new RateLimitError('ratelimit.unavailable', { cause: err }); };

  return {
    async consume(rawKey, rule) {
      const key = redisKey(rawKey);
      const now = clock.now();
      const start = windowStartMs(now, rule);
      const [count, stored] = await redis.eval(consumeScript, 1, key, String(start), String(rule.windowSeconds * 1000), String(now))
        .catch(unavailable) as [number, string];
      return { decision: decide(Number(count), Number(stored), rule, now, true), window: String(stored) };
    },

    async refund(rawKey, window) {
      await redis.eval(refundScript, 1, redisKey(rawKey), window).catch(unavailable);
    },

    async peek(rawKey, rule) {
      const key = redisKey(rawKey);
      const now = clock.now();
      const start = windowStartMs(now, rule);
      const [w, c] = await redis.hmget(key, 'w', 'c').catch(unavailable) as [string | null, string | null];
      const stored = Number(w);
      return w !== null && stored >= start ? decide(Number(c), stored, rule, now, false) : decide(0, start, rule, now, false);
    },

    async reset(rawKey) {
      await redis.del(redisKey(rawKey)).catch(unavailable);
    },

    async purge() {},

    async close() {
      redis.disconnect();
    },
  };
}
