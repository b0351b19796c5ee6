// `tessera serve --workers N`: a primary and N workers sharing the node's ports, a worker that dies restarted, one that
// cannot start given up on with a message, SIGTERM passed on; SQLite refuses more than one worker.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.ts';
import { createCluster, dropCluster, freeUdpPort, openCluster, startNode, type Cluster } from '../support/nodes.ts';
import { runCli } from '../support/cli.ts';
import { radclient } from '../support/radclient.ts';
import type { TesseraServer } from '../../src/server.ts';

const secret = 'a-shared-secret-of-32-characters!';

describe('workers of one node', () => {
  it('refuses more than one worker on SQLite, naming server.workers and why', async () => {
    const dir = join(import.meta.dirname, '../..');
    const result = await runCli(['serve', '--workers', '2'], {
      TESSERA_DATABASE_URL: `sqlite:${join(dir, 'nowhere', 'never.db')}`,
      TESSERA_HTTP_PORT: '0',
      TESSERA_LOG_LEVEL: 'silent',
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /server\.workers \(TESSERA_SERVER_WORKERS, --workers\) is 2, but the database is SQLite/,
    );
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('refuses a worker count that is not a number or auto', async () => {
    const result = await runCli(['serve', '--workers', 'many'], { TESSERA_LOG_LEVEL: 'silent' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /server\.workers \(TESSERA_SERVER_WORKERS\)/);
  });
});

const postgres = (await testDialects()).includes('postgres') ? undefined : 'workers share PostgreSQL only';

describe('a node with two workers on PostgreSQL', { skip: postgres }, () => {
  let database: TestDatabase;
  let cluster: Cluster;
  let setup: TesseraServer;
  let clientSecret: string;

  before(async () => {
    database = await createTestDatabase('postgres');
    cluster = createCluster(database.url, 'http://127.0.0.1:9');
    setup = await openCluster(cluster);
    const registered = await setup.clients.add({
      client_id: 'api',
      client_name: 'API',
      redirect_uris: ['http://127.0.0.1:9/cb'],
      grant_types: ['client_credentials'],
    });
    clientSecret = String(registered.client_secret);
  });
  after(async () => {
    await setup?.close();
    await database?.drop();
    if (cluster) dropCluster(cluster);
  });

  const token = (url: string) =>
    fetch(`${url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`api:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    }).then((r) => r.status);
  const listening = (lines: string[]) =>
    lines
      .filter((l) => l.includes('Tessera is listening'))
      .map((l) => JSON.parse(l) as { pid: number; worker: number });

  it('serves HTTP and RADIUS from both workers, restarts one killed, and stops on SIGTERM', async () => {
    const radiusPort = await freeUdpPort();
    const node = await startNode(cluster, 'two', {
      server: { workers: 2 },
      radius: {
        port: radiusPort,
        accountingPort: await freeUdpPort(),
        clients: [{ name: 'vpn', address: '127.0.0.1', secret }],
      },
    });
    try {
      const workers = listening(node.lines);
      assert.deepEqual(workers.map((w) => w.worker).sort(), [0, 1], 'each worker knows its index (TESSERA_WORKER)');
      const statuses = await Promise.all(Array.from({ length: 40 }, () => token(node.url)));
      assert.deepEqual(new Set(statuses), new Set([200]));
      const status = await radclient({
        port: radiusPort,
        secret,
        command: 'status',
        attributes: ['Message-Authenticator = 0x00'],
      });
      assert.equal(status.code, 'Access-Accept');

      process.kill(workers.find((w) => w.worker === 1)!.pid, 'SIGKILL');
      // The other worker answers while the killed one comes back.
      assert.equal(await token(node.url), 200);
      for (let i = 0; !node.lines.some((l) => l.includes('worker restarted')); i++) {
        assert.ok(i < 200, node.lines.join('\n'));
        await new Promise((r) => setTimeout(r, 100));
      }
      const died = node.lines.find((l) => l.includes('"worker died"'))!;
      assert.match(died, /"worker":1,.*"signal":"SIGKILL".*"restartInMs":\d+/);
      assert.equal(listening(node.lines).filter((w) => w.worker === 1).length, 2);
      assert.deepEqual(new Set(await Promise.all(Array.from({ length: 10 }, () => token(node.url)))), new Set([200]));
    } finally {
      assert.equal(await node.stop(), 0);
    }
    const pids = listening(node.lines).map((w) => w.pid);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
  });

  it('gives up, with a message, on a worker that dies at every start', async () => {
    const node = await startNode(cluster, 'broken', { server: { workers: 2 } });
    // The operator changes the key-encryption key under a running node: every worker started from now on refuses.
    try {
      const file = join(cluster.dir, 'broken.json');
      const config = JSON.parse(readFileSync(file, 'utf8'));
      config.secrets.keyEncryptionKey = randomBytes(32).toString('base64');
      writeFileSync(file, JSON.stringify(config));
      process.kill(listening(node.lines).find((w) => w.worker === 1)!.pid, 'SIGKILL');
      const code = await node.exited;
      assert.equal(code, 1);
      const failures = node.lines.filter((l) => l.includes('secrets.keyEncryptionKey')).length;
      assert.equal(failures, 5, 'five starts, then no more');
      assert.ok(node.lines.some((l) => /worker 1 died during its start 5 times in a row: not restarting it/.test(l)));
    } finally {
      await node.stop();
    }
  });
});
