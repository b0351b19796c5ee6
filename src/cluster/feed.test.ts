// The change feed between two stores of one database (two processes' worth of connections), on both databases.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { testDialects, createTestDatabase, postgresBaseUrl } from '../../test/support/databases.ts';
import { openRedisTestClient, redisTestUrl, testRedis } from '../../test/support/redis.ts';
import { openStore, type Store } from '../store/index.ts';
import { createChangeFeed, openChangeTransport, redisChannel, topics, type ChangeFeed, type Topic } from './index.ts';

async function until(what: string, probe: () => boolean, seconds = 10): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(10);
  }
}

interface TwoFeeds {
  url: string;
  stores: Store[];
  feeds: ChangeFeed[];
  errors: unknown[];
  /** How many times process `i` reloaded `topic`. */
  count(i: number, topic: Topic): number;
  close(): Promise<void>;
}

/**
 * Two processes' worth of feeds on a new database, each counting its reloads; the backstop is an hour, so only a
 * notice (or a reconnect) causes a reload. `reloading` runs inside each reload.
 */
async function openTwoFeeds(
  dialect: 'sqlite' | 'postgres',
  redisUrl: string | undefined,
  reloading: (i: number) => Promise<void> = async () => {},
): Promise<TwoFeeds> {
  const database = await createTestDatabase(dialect);
  const stores = [openStore(database.url), openStore(database.url)];
  await stores[0].migrate();
  const reloads: Array<Record<string, number>> = [{}, {}];
  const errors: unknown[] = [];
  const count = (i: number, topic: Topic) => reloads[i][topic] ?? 0;
  const feeds = stores.map((store, i) => {
    const feed = createChangeFeed({
      transport: openChangeTransport(store, { sqlitePollMs: 20, redisUrl, onError: (e) => errors.push(e) }),
      backstopMs: 3_600_000,
      now: () => Date.now(),
      onError: (e) => errors.push(e),
    });
    for (const topic of topics)
      feed.on(topic, async () => {
        reloads[i][topic] = count(i, topic) + 1;
        await reloading(i);
      });
    return feed;
  });
  await Promise.all(feeds.map((f) => f.start()));
  return {
    url: database.url,
    stores,
    feeds,
    errors,
    count,
    async close() {
      await Promise.all(feeds.map((f) => f.stop()));
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    },
  };
}

for (const dialect of await testDialects()) {
  describe(`change feed on ${dialect}`, () => {
    let two: TwoFeeds;
    let slow = 0;
    before(async () => {
      two = await openTwoFeeds(dialect, undefined, async (i) => {
        if (i === 1 && slow) await sleep(slow);
      });
    });
    after(() => two.close());
    const count = (i: number, topic: Topic) => two.count(i, topic);

    it('reloads the topic here at once and in the other process when told, never its own echo', async () => {
      await two.feeds[0].publish('otp-policies');
      assert.equal(count(0, 'otp-policies'), 1, 'the writer reloaded its own copy');
      await until('the other process reloads', () => count(1, 'otp-policies') === 1);
      await sleep(200);
      assert.equal(count(0, 'otp-policies'), 1, "the writer's own notice came back and was skipped");
      assert.equal(count(1, 'radius-clients'), 0, 'other topics are left alone');
    });

    it('runs a reload asked for during one again after it, never two at once', async () => {
      slow = 150;
      const before = count(1, 'saml-apps');
      for (let i = 0; i < 5; i++) {
        await two.feeds[0].publish('saml-apps');
        await sleep(30);
      }
      // The last notice arrived while a reload ran: one more follows it, so the last change is read.
      await until('the other process caught up', () => count(1, 'saml-apps') >= before + 2);
      await sleep(400);
      const done = count(1, 'saml-apps') - before;
      assert.ok(done >= 2 && done <= 5, `${done} reloads for 5 notices arriving during slow reloads`);
      slow = 0;
    });

    it('reloads every topic after its listening connection was cut', { skip: dialect === 'sqlite' }, async () => {
      const before = topics.map((t) => count(1, t));
      const admin = new pg.Client({ connectionString: postgresBaseUrl });
      await admin.connect();
      try {
        // Both listeners: each reconnects and reloads everything.
        const { rowCount } = await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN \"tessera_changes.%' and query like $1",
          [`%${new URL(two.url).searchParams.get('schema')}%`],
        );
        assert.equal(rowCount, 2);
      } finally {
        await admin.end();
      }
      await until('every topic reloaded', () => topics.every((t, i) => count(1, t) > before[i]));
      // And notices flow again.
      const policies = count(1, 'otp-policies');
      await two.feeds[0].publish('otp-policies');
      await until('notices after the reconnect', () => count(1, 'otp-policies') > policies);
      assert.ok(two.errors.length >= 1, 'the lost connection was reported');
    });
  });
}

// The same feed carried by Redis (`cluster.redisUrl`), on each database: only the channel's name comes from the store.
for (const dialect of (await testRedis()) ? await testDialects() : []) {
  describe(`change feed through Redis, the database on ${dialect}`, () => {
    let two: TwoFeeds;
    before(async () => {
      two = await openTwoFeeds(dialect, redisTestUrl);
    });
    after(() => two.close());
    const count = (i: number, topic: Topic) => two.count(i, topic);

    it('reloads the topic in the other process when told, never its own echo, and ignores what is not a notice', async () => {
      await two.feeds[0].publish('radius-clients');
      await until('the other process reloads', () => count(1, 'radius-clients') === 1);
      const redis = openRedisTestClient();
      try {
        // Someone else's message on the channel, or another version's: not a change.
        const channel = redisChannel(two.stores[0]);
        assert.match(channel, dialect === 'sqlite' ? /^tessera:changes:sqlite:\// : /^tessera:changes:postgres:test:/);
        assert.deepEqual(await redis.pubsub('NUMSUB', channel), [channel, 2], 'both processes subscribed');
        for (const junk of ['', 'no-such-topic x 1', 'radius-clients', '\u0000'.repeat(3)])
          await redis.publish(channel, junk);
      } finally {
        redis.disconnect();
      }
      await sleep(200);
      assert.equal(count(0, 'radius-clients'), 1, "the writer's own notice came back and was skipped");
      assert.equal(count(1, 'radius-clients'), 1);
      assert.deepEqual(two.errors, []);
    });

    it('reloads every topic after Redis dropped its subscription, and hears notices again', async () => {
      const before = topics.map((t) => count(1, t));
      const redis = openRedisTestClient();
      try {
        // Both feeds' subscribers (Redis does the same to a client that falls behind: client-output-buffer-limit).
        const clients = ((await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).split('\n').filter(Boolean);
        const ours = clients
          .filter((line) => / name=tessera-changes /.test(line))
          .map((line) => /id=(\d+)/.exec(line)![1]);
        assert.ok(ours.length >= 2, clients.join('\n'));
        for (const id of ours) await redis.call('CLIENT', 'KILL', 'ID', id);
      } finally {
        redis.disconnect();
      }
      await until('every topic reloaded', () => topics.every((t, i) => count(1, t) > before[i]));
      const policies = count(1, 'otp-policies');
      await two.feeds[0].publish('otp-policies');
      await until('notices after the reconnect', () => count(1, 'otp-policies') > policies);
      assert.ok(two.errors.length >= 1, 'the lost connection was reported');
    });

    it('reports a notice it cannot send and does not hold up the change, when Redis is gone', async () => {
      const unreachable = createChangeFeed({
        transport: openChangeTransport(two.stores[0], {
          sqlitePollMs: 20,
          redisUrl: 'redis://127.0.0.1:1',
          onError: () => {},
        }),
        backstopMs: 3_600_000,
        now: () => Date.now(),
        onError: (e, what) => two.errors.push({ e, what }),
      });
      let reloaded = 0;
      unreachable.on('saml-apps', () => void reloaded++);
      const before = two.errors.length;
      try {
        await unreachable.publish('saml-apps');
        assert.equal(reloaded, 1, 'this process reloaded its own copy');
        assert.equal((two.errors[before] as { what: string }).what, 'saml-apps');
        await assert.rejects(unreachable.start(), /ECONNREFUSED/);
      } finally {
        await unreachable.stop();
      }
    });
  });
}
