// Attempt counters in Redis (`limits.counters: redis`, with cluster.redisUrl): a burst of parallel sign-ins is held
// to the limit as with counters in the database (T45), a success gives its attempt back, the counters are kept under
// the database's name (installations sharing one Redis keep apart) and the database's own table stays empty.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { testDialects } from '../support/databases.ts';
import { dropRedisPrefix, redisTestUrl, testRedis } from '../support/redis.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { sharedDatabaseName } from '../../src/store/index.ts';

const redirectUri = 'http://127.0.0.1:9/cb';
// A day-long window keeps the burst inside one window (see parallel-limits.test.ts).
const limit = 5;
const signInLimits = {
  signInPerAccountSource: { limit, windowSeconds: 86_400 },
  signInPerAccount: { limit, windowSeconds: 86_400 },
};

const redisUp = await testRedis();
for (const dialect of await testDialects()) {
  describe(`attempt counters in Redis on ${dialect}`, { skip: !redisUp }, () => {
    let tessera: RunningTessera;
    let prefix: string;
    before(async () => {
      tessera = await startTessera(dialect, {
        cluster: { redisUrl: redisTestUrl },
        limits: { counters: 'redis', ...signInLimits },
      });
      prefix = `tessera:limits:${sharedDatabaseName(tessera.store.url)}:`;
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: [redirectUri],
        first_party: true,
      });
    });
    after(async () => {
      await tessera.stop();
      await dropRedisPrefix(prefix);
    });

    async function signInPage() {
      const agent = createAgent();
      const page = await agent.follow(
        `${tessera.url}/oidc/auth?client_id=shop&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`,
        tessera.url,
      );
      const csrf = hiddenField(await page.response.text(), 'csrf');
      return async (email: string, password: string) => {
        const response = await agent.postForm(`${page.url}/login`, { csrf, email, password });
        await response.arrayBuffer();
        return response.status;
      };
    }

    it('checks at most the limit of 200 parallel sign-ins, keeps the counts in Redis under the database name and none in the database (T45)', async () => {
      const email = `redis-burst-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'the right passphrase' });
      const signIn = await signInPage();
      const passwords = [...Array.from({ length: 199 }, (_, i) => `wrong guess ${i}`), 'the right passphrase'];
      const answers = await Promise.all(passwords.map((password) => signIn(email, password)));
      const checked = answers.filter((status) => status === 401).length;
      assert.ok(checked <= limit, `${checked} wrong passwords were checked`);
      assert.equal(answers.filter((status) => status === 429).length + checked, 200);
      assert.equal(answers.at(-1), 429, 'the correct password, sent last, waits like the guesses');

      const redis = new Redis(redisTestUrl, { maxRetriesPerRequest: 1 });
      try {
        const [, keys] = await redis.scan(0, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        assert.ok(keys.length >= 2, `counters under ${prefix}: ${keys.length}`);
        // A key holds its digest only: no e-mail address, no IP address in Redis.
        assert.ok(keys.every((k) => !k.includes(email) && !k.includes('127.0.0.1')));
      } finally {
        redis.disconnect();
      }
      const inDatabase = await tessera.store.db.selectFrom('rate_limits').select('key').execute();
      assert.equal(inDatabase.length, 0, 'the database keeps no counter');
    });

    it('answers a burst at an account nobody has exactly as at one that exists: the limit, then 429', async () => {
      const signIn = await signInPage();
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => signIn(`nobody-${dialect}@example.com`, `guess ${i}`)),
      );
      assert.equal(answers.filter((status) => status === 401).length, limit);
      assert.equal(answers.filter((status) => status === 429).length, 200 - limit);
    });

    it('gives a successful attempt back: the person signs in more often than the limit allows failures', async () => {
      const email = `redis-regular-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'a regular passphrase' });
      for (let i = 0; i < 2 * limit; i++) {
        const signIn = await signInPage();
        assert.equal(await signIn(email, 'a regular passphrase'), 303, `sign-in ${i + 1}`);
      }
      // Wrong passwords still count, up to the limit.
      const signIn = await signInPage();
      const wrong = [];
      for (let i = 0; i <= limit; i++) wrong.push(await signIn(email, `not it ${i}`));
      assert.deepEqual(wrong, [...Array(limit).fill(401), 429]);
    });
  });
}
