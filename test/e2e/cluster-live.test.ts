// Two nodes of one cluster as an operator runs them: separate `tessera serve` processes on one PostgreSQL, changed by
// the CLI (a third process) while they run. The backstop reload is an hour here, so only the change feed can carry a
// change; the delays it took are printed as figures (not asserted). A key rotation must never leave a token of one
// node that the other refuses.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import pg from 'pg';
import { testDialects, createTestDatabase, postgresBaseUrl, type TestDatabase } from '../support/databases.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import { freePort, startTessera, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';
import { redisTestUrl, testRedis } from '../support/redis.ts';
import { openStore, createSealer } from '../../src/store/index.ts';
import { createSqlSecretStore, loadSigningKeys } from '../../src/oidc/index.ts';

const cliPath = join(import.meta.dirname, '../../src/cli.ts');
const backstopSeconds = '3600';

interface Node {
  url: string;
  lines: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `tessera serve` in a process of its own, logging at debug level (the feed's "applied" lines carry the delays). */
async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    env: { ...process.env, ...env, TESSERA_HTTP_PORT: String(port), TESSERA_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || tries > 300) throw new Error(`node did not start: ${stderr}`);
    await sleep(100);
  }
  return {
    url,
    lines,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `tessera serve` started with `env`, which it should refuse: its exit status and what it said. */
async function refusedNode(env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    env: { ...process.env, ...env, TESSERA_HTTP_PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

/** Every "change from another process applied" line of a node for `topic`: how long after publication it was done. */
const appliedDelays = (node: Node, topic: string) =>
  node.lines
    .map((l) => {
      try {
        return JSON.parse(l) as { msg?: string; topic?: string; delayMs?: number };
      } catch {
        return {};
      }
    })
    .filter((l) => l.msg === 'change from another process applied' && l.topic === topic)
    .map((l) => l.delayMs!);

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 15): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(20);
  }
}

async function serviceToken(node: Node, client: { id: string; secret: string }): Promise<string | undefined> {
  const response = await fetch(`${node.url}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'otp:validate' }),
  });
  if (!response.ok) return undefined;
  return ((await response.json()) as { access_token: string }).access_token;
}

const jwksOf = async (node: Node) =>
  ((await (await fetch(`${node.url}/oidc/jwks`)).json()) as { keys: Array<JWK & { key_ops?: string[] }> }).keys;

for (const dialect of await testDialects()) {
  describe(`a cluster of two nodes as processes (${dialect})`, {
    skip: dialect === 'sqlite' && 'PostgreSQL only',
  }, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let a: Node;
    let b: Node;
    let client: { id: string; secret: string };
    const figures: string[] = [];

    before(async () => {
      database = await createTestDatabase(dialect);
      const kek = randomBytes(32).toString('base64');
      // A cluster that has run for a while: its next keys were published two hours ago, so a rotation may promote
      // them at once.
      const store = openStore(database.url);
      await store.migrate();
      const twoHoursAgo = { now: () => Date.now() - 7_200_000 };
      await loadSigningKeys(createSqlSecretStore(store.db), createSealer(Buffer.from(kek, 'base64')), twoHoursAgo, 0);
      await store.close();
      const issuerPort = await freePort();
      env = {
        TESSERA_DATABASE_URL: database.url,
        TESSERA_SECRETS_KEY_ENCRYPTION_KEY: kek,
        TESSERA_ISSUER: `http://127.0.0.1:${issuerPort}`,
        TESSERA_CLUSTER_BACKSTOP_SECONDS: backstopSeconds,
        TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cluster-')),
        TESSERA_LOG_LEVEL: 'silent',
      };
      [a, b] = await Promise.all([startNode(env), startNode(env)]);
      // Asked for before it exists, so both nodes hold "no such client" in memory: only a notice makes them read again.
      const unknown = { id: 'api-module', secret: 'not-yet-registered' };
      assert.equal(await serviceToken(a, unknown), undefined);
      assert.equal(await serviceToken(b, unknown), undefined);
      const added = await runCli(
        [
          'client',
          'add',
          '--id',
          'api-module',
          '--redirect-uri',
          'https://mail.example.com/cb',
          '--grant',
          'client_credentials',
        ],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      client = { id: 'api-module', secret: (JSON.parse(added.stdout) as { client_secret: string }).client_secret };
    });

    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await database.drop();
      if (figures.length) console.log(`# figures (${dialect}):\n${figures.map((f) => `#   ${f}`).join('\n')}`);
    });

    it('a client added by the CLI is served by both nodes, carried by the feed alone', async () => {
      const started = Date.now();
      await until('node A knows the new client', () => serviceToken(a, client));
      await until('node B knows the new client', () => serviceToken(b, client));
      figures.push(`client add → token at both nodes: ${Date.now() - started} ms after the CLI exited`);
      figures.push(
        `oidc-clients applied after publication: A ${appliedDelays(a, 'oidc-clients').join(', ')} ms, ` +
          `B ${appliedDelays(b, 'oidc-clients').join(', ')} ms`,
      );
    });

    it('rotates the signing keys through the CLI while both serve: every token of either node verifies at the other throughout', async () => {
      const before = await jwksOf(a);
      const next = before.filter((k) => k.alg === 'ES256' && k.key_ops?.includes('verify')).map((k) => k.kid);
      assert.deepEqual((await jwksOf(b)).map((k) => k.kid).sort(), before.map((k) => k.kid).sort(), 'same JWKS');

      // Tokens from each node, checked at the other: offline against its JWKS (jose) and by its OTP validation API,
      // which verifies service tokens with the keys that node publishes.
      const checked = { tokens: 0, kids: new Set<string>() };
      const crossCheck = async (from: Node, at: Node) => {
        const token = await serviceToken(from, client);
        assert.ok(token, 'a token was issued');
        checked.kids.add(decodeProtectedHeader(token).kid!);
        const keys = await jwksOf(at);
        await jwtVerify(token, createLocalJWKSet({ keys }), { issuer: env.TESSERA_ISSUER }).catch((err) => {
          throw new Error(`a token of ${from.url} does not verify with ${at.url}'s JWKS: ${err.message}`);
        });
        const api = await fetch(`${at.url}/api/otp/validate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'nobody@example.com', code: '123456' }),
        });
        assert.notEqual(api.status, 401, `${at.url} refused a token of ${from.url}`);
        checked.tokens += 1;
      };
      await crossCheck(a, b);
      await crossCheck(b, a);

      let rotating = true;
      const during = (async () => {
        while (rotating) {
          await crossCheck(a, b);
          await crossCheck(b, a);
        }
      })();
      const started = Date.now();
      const rotated = await runCli(['keys', 'rotate'], env);
      const cliDone = Date.now();
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stdout, new RegExp(`ES256 ${next[0]} signs`));
      const signsWithNext = async (node: Node) =>
        decodeProtectedHeader((await serviceToken(node, client))!).kid === next[0];
      await until('node A signs with the promoted key', () => signsWithNext(a));
      await until('node B signs with the promoted key', () => signsWithNext(b));
      const reached = Date.now();
      rotating = false;
      await during;
      figures.push(
        `keys rotate: CLI took ${cliDone - started} ms; both nodes signing with the promoted key ${reached - cliDone} ms after it exited`,
      );
      figures.push(
        `signing-keys applied (reload + Provider rebuilt) after publication: A ${appliedDelays(a, 'signing-keys').join(', ')} ms, ` +
          `B ${appliedDelays(b, 'signing-keys').join(', ')} ms`,
      );

      await crossCheck(a, b);
      await crossCheck(b, a);
      figures.push(`${checked.tokens} tokens cross-checked around the rotation, signed by ${checked.kids.size} keys`);
      const after = await jwksOf(a);
      assert.deepEqual((await jwksOf(b)).map((k) => k.kid).sort(), after.map((k) => k.kid).sort(), 'same JWKS again');
      for (const old of before)
        assert.ok(
          after.some((k) => k.kid === old.kid),
          'the retired keys are still published',
        );
      assert.equal(after.filter((k) => !k.key_ops).length, 2, 'one ES256 and one RS256 key sign');

      // A second rotation at once would promote next keys published a moment ago: refused, naming the wait.
      const again = await runCli(['keys', 'rotate'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /rotate again in \d+ s/);
    });

    it('a node that lost its feed connection reloads everything once it is back', async () => {
      const unknown = { id: 'after-cut', secret: 'not-yet-registered' };
      assert.equal(await serviceToken(a, unknown), undefined);
      assert.equal(await serviceToken(b, unknown), undefined);
      // The listening connections of both nodes are cut, and a client is added at once: its notice may be lost.
      const admin = new pg.Client({ connectionString: postgresBaseUrl });
      await admin.connect();
      try {
        const { rowCount } = await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN \"tessera_changes.%' and pid <> pg_backend_pid()",
        );
        assert.ok((rowCount ?? 0) >= 2, 'the two listening connections were cut');
      } finally {
        await admin.end();
      }
      const added = await runCli(
        [
          'client',
          'add',
          '--id',
          'after-cut',
          '--redirect-uri',
          'https://x.example.com/cb',
          '--grant',
          'client_credentials',
        ],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      const second = { id: 'after-cut', secret: (JSON.parse(added.stdout) as { client_secret: string }).client_secret };
      const started = Date.now();
      await until('node A knows the client added during the cut', () => serviceToken(a, second));
      await until('node B knows the client added during the cut', () => serviceToken(b, second));
      figures.push(`client added while the feed connections were cut: at both nodes ${Date.now() - started} ms later`);
    });

    it('refuses a node started with another issuer, naming the setting', async () => {
      const { code, stderr } = await refusedNode({ ...env, TESSERA_ISSUER: 'https://elsewhere.example.com' });
      assert.equal(code, 1);
      assert.match(stderr, /issuer \(TESSERA_ISSUER\) must be the same on every node/);
      assert.doesNotMatch(stderr, /at .*\.ts:\d+/, 'no stack trace');
      // Both nodes still serve.
      assert.ok((await fetch(`${a.url}/healthz`)).ok && (await fetch(`${b.url}/healthz`)).ok);
    });
  });
}

for (const dialect of await testDialects()) {
  // One server and the CLI beside it, as on a laptop (SQLite) or a one-node PostgreSQL: a change the CLI makes in its
  // own process reaches the running server through the feed (the backstop is an hour).
  describe(`a running server hears the CLI's changes (${dialect})`, () => {
    let tessera: RunningTessera;
    let env: Record<string, string | undefined>;
    const figures: string[] = [];
    before(async () => {
      tessera = await startTessera(dialect, {
        cluster: { backstopSeconds: 3600 },
        radius: { port: 0, host: '127.0.0.1', clientRefreshMs: 3_600_000 },
      });
      env = operatorEnvironment(tessera);
    });
    after(async () => {
      await tessera.stop();
      if (figures.length) console.log(`# figures (${dialect}):\n${figures.map((f) => `#   ${f}`).join('\n')}`);
    });

    it('an app and a policy set by the CLI are served without waiting for the backstop', async () => {
      // Read once, so the server holds "no such app" and "no policy" in memory.
      assert.equal(await tessera.clients.find('late-app'), undefined);
      assert.equal(await tessera.policies.find('radius:late'), undefined);
      const added = await runCli(
        ['client', 'add', '--id', 'late-app', '--redirect-uri', 'https://late.example.com/cb'],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      let started = Date.now();
      await until('the server knows the app', () => tessera.clients.find('late-app'));
      figures.push(`client add → served ${Date.now() - started} ms after the CLI exited`);
      const set = await runCli(['policy', 'set', '--app', 'radius:late', '--otp', 'required'], env);
      assert.equal(set.code, 0, set.stderr);
      started = Date.now();
      await until(
        'the server applies the policy',
        async () => (await tessera.policies.find('radius:late'))?.otp === 'required',
      );
      figures.push(`policy set → applied ${Date.now() - started} ms after the CLI exited`);
    });

    it("answers all three of a new gateway's simultaneous first Access-Requests", async () => {
      const added = await runCli(['radius', 'client', 'add', '--name', 'new-gw', '--address', '127.0.0.1'], env);
      assert.equal(added.code, 0, added.stderr);
      const secret = /shared secret: (\S+)/.exec(added.stdout)![1];
      const send = (user: string) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          retries: 1,
          timeoutSeconds: 5,
          attributes: [`User-Name = "${user}"`, 'User-Password = "not-the-password"', 'Message-Authenticator = 0x00'],
        });
      const replies = await Promise.all([send('ann'), send('ben'), send('cat')]);
      assert.deepEqual(
        replies.map((r) => r.code),
        ['Access-Reject', 'Access-Reject', 'Access-Reject'],
        'each first packet is answered, none dropped until a retransmission',
      );
    });
  });
}

for (const dialect of (await testRedis()) ? await testDialects() : []) {
  // The same, with the feed carried by Redis (`cluster.redisUrl`): neither LISTEN nor SQLite's counter is used then.
  describe(`a running server hears the CLI's changes through Redis (${dialect})`, () => {
    let tessera: RunningTessera;
    let env: Record<string, string | undefined>;
    before(async () => {
      tessera = await startTessera(dialect, { cluster: { backstopSeconds: 3600, redisUrl: redisTestUrl } });
      env = { ...operatorEnvironment(tessera), TESSERA_CLUSTER_REDIS_URL: redisTestUrl };
    });
    after(async () => {
      await tessera.stop();
    });

    it('an app added by the CLI is served without waiting for the backstop', async () => {
      assert.equal(await tessera.clients.find('redis-app'), undefined);
      const added = await runCli(
        ['client', 'add', '--id', 'redis-app', '--redirect-uri', 'https://redis.example.com/cb'],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      await until('the server knows the app', () => tessera.clients.find('redis-app'));
    });

    it('commits a change whose notice Redis cannot carry, and says why, without hanging the command', async () => {
      const added = await runCli(
        ['client', 'add', '--id', 'unheard-app', '--redirect-uri', 'https://unheard.example.com/cb'],
        { ...env, TESSERA_CLUSTER_REDIS_URL: 'redis://127.0.0.1:1', TESSERA_LOG_LEVEL: 'warn' },
      );
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout + added.stderr, /ECONNREFUSED/);
      const listed = await runCli(['client', 'list'], env);
      assert.match(listed.stdout, /unheard-app/);
    });

    it('refuses to start a node whose Redis does not answer, naming the setting', async () => {
      const { code, stderr } = await refusedNode({
        ...env,
        TESSERA_ISSUER: tessera.config.issuer,
        TESSERA_CLUSTER_REDIS_URL: 'redis://127.0.0.1:1',
      });
      assert.equal(code, 1);
      assert.match(stderr, /cluster\.redisUrl \(TESSERA_CLUSTER_REDIS_URL\): Redis did not answer \(.*ECONNREFUSED/);
      assert.doesNotMatch(stderr, /at .*\.ts:\d+/, 'no stack trace');
    });
  });
}
