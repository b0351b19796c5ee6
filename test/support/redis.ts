// Tests that need Redis use the one at TESSERA_TEST_REDIS_URL (default 127.0.0.1:6379); each suite works under
// its own key prefix and deletes its keys afterwards. In CI a missing Redis is a failure, never a skip.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const redisTestUrl = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const client = new Redis(redisTestUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Whether Redis suites run: true when reachable; outside CI a warning and false otherwise. */
export async function testRedis(): Promise<boolean> {
  if (await redisReachable()) return true;
  if (process.env.CI) throw new Error(`Redis is not reachable at ${redisTestUrl}; CI requires it`);
  process.emitWarning(`Redis not reachable at ${redisTestUrl}: skipping the Redis backend`);
  return false;
}

/** A key prefix no other run uses. */
export const redisTestPrefix = () => `tessera-test:${randomBytes(6).toString('hex')}:`;

/** Deletes every key under a prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const client = new Redis(redisTestUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** A plain client for a test to look at what a suite stored. */
export const openRedisTestClient = () => new Redis(redisTestUrl, { maxRetriesPerRequest: 1 });
