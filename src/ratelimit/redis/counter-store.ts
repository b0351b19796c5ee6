// Counters in Redis: one hash per key ({ w: window start, c: count }) changed by one Lua script, which Redis runs
// atomically, so racing nodes each get their own count; an attempt's keys are counted by one script too. Keys
// expire with their window; nothing needs purging.
import { Redis } from 'ioredis';
import type { Clock } from '../../clock/index.ts';
import { decide, digestKey, windowStartMs } from '../window.ts';
import { RateLimitError, type Counted, type CounterStore } from '../types.ts';

// Same rule as the database: count into a window at or after ours (a node whose clock is behind must not restart
// a newer window), replace only an older one. The key lives until its window ends, by the caller's clock.
const countLua = `
local function count(key, startText, windowMs, now)
  local start = tonumber(startText)
  local raw = redis.call('HGET', key, 'w')
  local stored = tonumber(raw)
  local n
  if stored and stored >= start then
    n = redis.call('HINCRBY', key, 'c', 1)
    start = stored
    startText = raw
  else
    redis.call('HSET', key, 'w', startText, 'c', 1)
    n = 1
  end
  local ttl = start + windowMs - now
  if ttl < 1000 then ttl = 1000 end
  redis.call('PEXPIRE', key, math.floor(ttl))
  return { n, startText }
end
`;

// ARGV: window start (ms), window length (ms), now (ms). Returns { count, window start }.
const consumeScript = `${countLua}
return count(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]))
`;

// One attempt under every key, in order, stopping after the first key that refuses it (its count is over its limit):
// the keys after it are not counted. ARGV: now (ms), then per key its window start, window length (ms) and limit.
// Returns { count, window start } per key counted.
const consumeEachScript = `${countLua}
local now = tonumber(ARGV[1])
local answers = {}
for i, key in ipairs(KEYS) do
  answers[i] = count(key, ARGV[3 * i - 1], tonumber(ARGV[3 * i]), now)
  if answers[i][1] > tonumber(ARGV[3 * i + 1]) then break end
end
return answers
`;

// Takes one count back under each key, only from the window the attempt was counted in (ARGV[i], as consume returned
// it) and never below zero; an ended window's key may already be gone.
const refundScript = `
for i, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'w') == ARGV[i] and tonumber(redis.call('HGET', key, 'c') or '0') > 0 then
    redis.call('HINCRBY', key, 'c', -1)
  end
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
  const redis = new Redis(o.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    enableAutoPipelining: true,
  });
  redis.on('error', () => {
    /* each command reports its own failure as ratelimit.unavailable */
  });
  // Sent by their digest (EVALSHA), the script itself only when Redis does not know it yet (ioredis falls back).
  redis.defineCommand('tesseraConsume', { numberOfKeys: 1, lua: consumeScript });
  redis.defineCommand('tesseraConsumeEach', { lua: consumeEachScript });
  redis.defineCommand('tesseraRefund', { lua: refundScript });
  const scripts = redis as unknown as Record<
    'tesseraConsume' | 'tesseraConsumeEach' | 'tesseraRefund',
    (...args: Array<string | number>) => Promise<unknown>
  >;
  const redisKey = (rawKey: string) => `${o.prefix}${digestKey(rawKey)}`;
  // A missing counter store is not "no limit": the caller refuses the attempt (fail closed) and says why.
  const unavailable = (err: unknown) => {
    throw new RateLimitError('ratelimit.unavailable', { cause: err });
  };

  return {
    async consume(rawKey, rule) {
      const key = redisKey(rawKey);
      const now = clock.now();
      const start = windowStartMs(now, rule);
      const [count, stored] = (await scripts
        .tesseraConsume(key, String(start), String(rule.windowSeconds * 1000), String(now))
        .catch(unavailable)) as [number, string];
      return { decision: decide(Number(count), Number(stored), rule, now, true), window: String(stored) };
    },

    async refund(rawKey, window) {
      await scripts.tesseraRefund(1, redisKey(rawKey), window).catch(unavailable);
    },

    async consumeEach(attempts) {
      if (attempts.length === 0) return [];
      const now = clock.now();
      const keys = attempts.map((a) => redisKey(a.key));
      const args = attempts.flatMap((a) => [windowStartMs(now, a.rule), a.rule.windowSeconds * 1000, a.rule.limit]);
      const answers = (await scripts
        .tesseraConsumeEach(keys.length, ...keys, now, ...args)
        .catch(unavailable)) as Array<[number, string]>;
      return attempts.map((a, i): Counted | undefined => {
        if (answers[i] === undefined) return undefined;
        const [count, stored] = answers[i];
        return { decision: decide(Number(count), Number(stored), a.rule, now, true), window: String(stored) };
      });
    },

    async refundEach(reservation) {
      if (reservation.length === 0) return;
      const keys = reservation.map((r) => redisKey(r.key));
      await scripts.tesseraRefund(keys.length, ...keys, ...reservation.map((r) => r.window)).catch(unavailable);
    },

    async peek(rawKey, rule) {
      const key = redisKey(rawKey);
      const now = clock.now();
      const start = windowStartMs(now, rule);
      const [w, c] = (await redis.hmget(key, 'w', 'c').catch(unavailable)) as [string | null, string | null];
      const stored = Number(w);
      return w !== null && stored >= start
        ? decide(Number(c), stored, rule, now, false)
        : decide(0, start, rule, now, false);
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
