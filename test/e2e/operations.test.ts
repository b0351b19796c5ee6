// What an operator relies on: health, readiness, metrics, logs without secrets, the CLI, key rotation,
// a clear stop on bad configuration, and a clean stop on SIGTERM.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { testDialects, createTestDatabase } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, freePort, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';

const cli = join(import.meta.dirname, '../../src/cli.ts');
const portAdvice = 'stop the other process or choose another port';

/** A TCP port held by another listener, as a second Tessera (or anything else) holds it. */
async function holdTcpPort(): Promise<{ port: number; close(): Promise<void> }> {
  const holder = createNetServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as AddressInfo;
  // localhost is ::1 too where IPv6 is up (the demo apps listen on localhost); held there as well when it is.
  const v6 = createNetServer();
  const heldV6 = await new Promise<boolean>((resolve) => {
    v6.once('error', () => resolve(false)).listen(port, '::1', () => resolve(true));
  });
  return {
    port,
    close: async () => {
      await new Promise((resolve) => holder.close(resolve));
      if (heldV6) await new Promise((resolve) => v6.close(resolve));
    },
  };
}

function run(
  args: string[],
  env: Record<string, string>,
  options: { killAfterReady?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env, TESSERA_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (options.killAfterReady && !child.killed && stdout.includes('Tessera is listening')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const dialect of await testDialects()) {
  describe(`operations on ${dialect}`, () => {
    let tessera: RunningTessera;
    const logLines: string[] = [];
    before(async () => {
      tessera = await startTessera(dialect, {}, { logLines });
      await tessera.clients.add({
        client_id: 'ops-app',
        client_name: 'Ops',
        redirect_uris: ['http://127.0.0.1:9/cb'],
        first_party: true,
        grant_types: ['authorization_code', 'client_credentials'],
      });
    });
    after(() => tessera.stop());

    it('answers /healthz, /readyz and /metrics with sign-ins by outcome and tokens by grant', async () => {
      assert.deepEqual(await (await fetch(`${tessera.url}/healthz`)).json(), { status: 'ok' });
      assert.deepEqual(await (await fetch(`${tessera.url}/readyz`)).json(), { status: 'ready' });
      const password = 'operator chosen passphrase';
      await tessera.accounts.createByOperator({ email: 'ops@example.com', password });
      const config = await client.discovery(
        new URL(tessera.url),
        'ops-app',
        String((await tessera.clients.find('ops-app'))!.client_secret),
        undefined,
        { execute: [client.allowInsecureRequests] },
      );
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://127.0.0.1:9/cb',
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const agent = createAgent();
      const page = await agent.follow(url.toString(), tessera.url);
      const csrf = hiddenField(await page.response.text(), 'csrf');
      await agent.postForm(`${page.url}/login`, { csrf, email: 'ops@example.com', password: 'wrong wrong wrong' });
      await agent.postForm(`${page.url}/login`, { csrf, email: 'ops@example.com', password });
      await client.clientCredentialsGrant(config, {});
      const metrics = await (await fetch(`${tessera.url}/metrics`)).text();
      assert.match(metrics, /tessera_logins_total\{outcome="success"\} 1/);
      assert.match(metrics, /tessera_logins_total\{outcome="failure"\} 1/);
      assert.match(metrics, /tessera_tokens_issued_total\{grant_type="client_credentials"\} 1/);
      assert.match(metrics, /tessera_http_requests_total\{method="GET",route="\/healthz",status="200"\}/);

      // Nothing secret reached the logs: not the password, not the session cookie, not the client secret.
      const logs = logLines.join('\n');
      assert.ok(logs.includes('request completed'), 'requests were logged');
      for (const secret of [
        password,
        'wrong wrong wrong',
        String((await tessera.clients.find('ops-app'))!.client_secret),
        csrf,
      ]) {
        assert.ok(!logs.includes(secret), 'a secret reached the logs');
      }
    });

    it('rotates signing keys: the published next keys sign, new next keys are published, the old ones stay published', async () => {
      const jwksBefore = (await (await fetch(`${tessera.url}/oidc/jwks`)).json()) as {
        keys: Array<{ kid: string; alg: string; key_ops?: string[] }>;
      };
      const { rotateSigningKeys, loadSigningKeys, createSqlSecretStore } = await import('../../src/oidc/index.ts');
      const { systemClock } = await import('../../src/clock/index.ts');
      const secrets = createSqlSecretStore(tessera.store.db);
      await assert.rejects(
        rotateSigningKeys(secrets, tessera.sealer, systemClock, { publishedForMs: 3600_000 }),
        { code: 'keys.next_too_new' },
        'next keys published a moment ago may be unknown to a node yet',
      );
      const rotated = await rotateSigningKeys(secrets, tessera.sealer, systemClock, { publishedForMs: 0 });
      assert.equal(rotated.length, 2);
      const keys = await loadSigningKeys(secrets, tessera.sealer, systemClock, 3600_000);
      assert.equal(keys.length, 6, 'two keys sign, two new next keys and two retired keys only verify');
      const wasNext = jwksBefore.keys.filter((k) => k.key_ops?.includes('verify')).map((k) => k.kid);
      assert.deepEqual(
        keys
          .filter((k) => !k.key_ops)
          .map((k) => k.kid)
          .sort(),
        wasNext.sort(),
        'the keys published as next are the ones that sign',
      );
      for (const old of jwksBefore.keys)
        assert.ok(
          keys.some((k) => k.kid === old.kid),
          'the retired key is still published',
        );
      assert.ok(
        keys.every((k) => !('d' in k) || k.d),
        'private parts stay inside the sealed store',
      );
    });
  });
}

describe('command line', () => {
  it('stops at start with a message naming the bad key', async () => {
    const result = await run(['serve'], {
      TESSERA_HTTP_PORT: 'eighty',
      TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-')),
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /http\.port \(TESSERA_HTTP_PORT\)/);
  });

  it('stops at start, naming radius.port, when another program holds the RADIUS port, instead of serving without it', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const taken = holder.address().port;
    try {
      const result = await run(['serve'], {
        TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-')),
        TESSERA_HTTP_PORT: String(await freePort()),
        TESSERA_RADIUS_PORT: String(taken),
      });
      assert.equal(result.code, 1, 'the process ends by itself, HTTP included');
      // One line, as for every taken port: a conflict, not "Invalid RADIUS configuration".
      assert.equal(
        result.stderr,
        `radius.port ${taken} (TESSERA_RADIUS_PORT) is already in use on 127.0.0.1: ${portAdvice}\n`,
      );
      assert.doesNotMatch(result.stderr, /at node:dgram/, 'a message, not a stack trace');
    } finally {
      holder.close();
    }
  });

  it('stops at start with one line naming http.port when another process holds it (a second npm start)', async () => {
    const holder = await holdTcpPort();
    try {
      const result = await run(['serve'], {
        TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-')),
        TESSERA_HTTP_PORT: String(holder.port),
      });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `http.port ${holder.port} (TESSERA_HTTP_PORT) is already in use on 127.0.0.1: ${portAdvice}\n`,
      );
      assert.doesNotMatch(result.stdout, /Tessera is listening/);
    } finally {
      await holder.close();
    }
  });

  it("moves the demo apps by setting, and names demoApps.shopPort when the demo shop's port is taken", async () => {
    const holder = await holdTcpPort();
    const forumPort = await freePort();
    try {
      const result = await run(['serve', '--demo'], {
        TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-')),
        TESSERA_HTTP_PORT: String(await freePort()),
        TESSERA_RADIUS_PORT: '0',
        TESSERA_DEMO_APPS_SHOP_PORT: String(holder.port),
        TESSERA_DEMO_APPS_FORUM_PORT: String(forumPort),
      });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `demoApps.shopPort ${holder.port} (TESSERA_DEMO_APPS_SHOP_PORT) is already in use: ${portAdvice}\n`,
      );
    } finally {
      await holder.close();
    }
  });

  it('says which migrations `tessera migrate` applied, and that a second run had nothing to do', async () => {
    for (const dialect of await testDialects()) {
      const database = await createTestDatabase(dialect);
      const env = {
        TESSERA_DATABASE_URL: database.url,
        TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-')),
        TESSERA_SECRETS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      };
      try {
        const first = await run(['migrate'], env);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /^applied 0001_\w+, 0002_\w+/, `on ${dialect}`);
        assert.match(first.stdout, /0008_radius_clients_sessions/);
        const again = await run(['migrate'], env);
        assert.equal(again.stdout.trim(), 'database is up to date', `on ${dialect}`);
      } finally {
        await database.drop();
      }
    }
  });

  it('registers, lists and removes apps, refuses bad input with the field named, and stops cleanly on SIGTERM', async () => {
    const database = await createTestDatabase('sqlite');
    const env = {
      TESSERA_DATABASE_URL: database.url,
      TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-')),
      TESSERA_SECRETS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      TESSERA_HTTP_PORT: String(await freePort()),
    };
    const added = await run(
      [
        'client',
        'add',
        '--id',
        'forum',
        '--name',
        'Forum',
        '--redirect-uri',
        'https://forum.example.com/cb',
        '--alg',
        'RS256',
      ],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
    const metadata = JSON.parse(added.stdout);
    assert.equal(metadata.id_token_signed_response_alg, 'RS256');
    assert.ok(metadata.client_secret.length >= 43);
    assert.match(added.stderr, /not shown again/);

    const bad = await run(
      ['client', 'add', '--id', 'x y', '--name', 'Bad', '--redirect-uri', 'https://app.example.com/cb#frag'],
      env,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /client_id:/);
    assert.match(bad.stderr, /redirect_uris\.0:/);
    const twice = await run(
      ['client', 'add', '--id', 'forum', '--name', 'Forum', '--redirect-uri', 'https://forum.example.com/cb'],
      env,
    );
    assert.match(twice.stderr, /exists already/);

    const listed = await run(['client', 'list'], env);
    const clients = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      clients.map((c) => c.client_id),
      ['forum', 'tessera-account', 'tessera-console'],
      'the account site and the IT support console are registered as first-party apps',
    );
    assert.ok(!listed.stdout.includes(metadata.client_secret), 'list never shows the secret');

    const user = await run(['user', 'add', '--email', 'Op@Example.com', '--password', 'a good long passphrase'], env);
    assert.match(user.stdout, /created customer account op@example\.com/);
    const staff = await run(
      ['user', 'add', '--email', 'staff@example.com', '--password', 'a good long passphrase', '--workforce'],
      env,
    );
    assert.match(staff.stdout, /created workforce account staff@example\.com/);
    const weak = await run(['user', 'add', '--email', 'op2@example.com', '--password', 'passwordpassword'], env);
    assert.match(weak.stderr, /identity\.password_breached/);
    // NIST SP 800-63B rev 4: an account made here has no second factor yet, so 15 characters at least.
    const short = await run(['user', 'add', '--email', 'op3@example.com', '--password', 'fourteen chars'], env);
    assert.match(short.stderr, /identity\.password_too_short/);

    const policy = await run(
      [
        'policy',
        'set',
        '--app',
        'portal',
        '--otp',
        'required',
        '--go-live',
        '2026-12-01',
        '--grace-days',
        '14',
        '--group',
        'Service Accounts=off',
        '--group',
        'Contractors=required',
      ],
      env,
    );
    assert.equal(policy.code, 0, policy.stderr);
    assert.deepEqual(
      JSON.parse((await run(['policy', 'list'], env)).stdout).map((p: { appId: string; groupOverrides: unknown }) => [
        p.appId,
        p.groupOverrides,
      ]),
      [['portal', { 'Service Accounts': 'off', Contractors: 'required' }]],
    );
    const sameGroupTwice = await run(
      [
        'policy',
        'set',
        '--app',
        'portal',
        '--otp',
        'optional',
        '--group',
        'VPN Users=off',
        '--group',
        'vpn users=required',
      ],
      env,
    );
    assert.equal(sameGroupTwice.code, 1);
    assert.match(sameGroupTwice.stderr, /--group VPN Users is given twice \(group names compare without case\)/);
    assert.equal(
      JSON.parse((await run(['policy', 'list'], env)).stdout)[0].otp,
      'required',
      'the refused policy changed nothing',
    );

    assert.equal((await run(['client', 'remove', '--id', 'forum'], env)).code, 0);
    assert.match((await run(['client', 'remove', '--id', 'forum'], env)).stderr, /no client with id forum/);

    const served = await run(['serve'], env, { killAfterReady: true });
    assert.equal(served.code, 0, served.stderr);
    assert.match(served.stdout, /shutting down/);
    await database.drop();
  });
});

describe('npm start (serve --demo)', () => {
  it('listens for VPN gateways too, with a demo gateway whose secret the banner shows, and the set-up link of its administrator', async () => {
    const env = {
      ...process.env,
      TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-demo-')),
      TESSERA_HTTP_PORT: String(await freePort()),
      TESSERA_RADIUS_PORT: String(await freePort()),
      TESSERA_LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [cli, 'serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (/RADIUS .*secret \S+\n[\s\S]*valid for an hour\)\n/.test(stdout)) resolve(stdout);
        });
        void exited.then(() => reject(new Error(`serve --demo stopped: ${stderr}`)));
      });
      const [, port, secret] = /RADIUS\s+udp:\/\/127\.0\.0\.1:(\d+) .*gateway "demo-vpn", secret (\S+)/.exec(banner)!;
      assert.equal(port, env.TESSERA_RADIUS_PORT);
      const status = await radclient({
        port: Number(port),
        secret,
        command: 'status',
        attributes: ['Message-Authenticator = 0x00'],
      });
      assert.equal(status.code, 'Access-Accept', 'the demo gateway is known');
      const login = await radclient({
        port: Number(port),
        secret,
        command: 'auth',
        attributes: [
          'User-Name = "nobody@example.com"',
          'User-Password = "not a password"',
          'Message-Authenticator = 0x00',
        ],
      });
      assert.equal(login.code, 'Access-Reject');
      const [, link] = /Console\s+(\S+)\n\s+\(one-time set-up of admin@example\.com/.exec(banner)!;
      assert.ok(link.startsWith(`http://localhost:${env.TESSERA_HTTP_PORT}/console/setup?token=`), link);
      const setup = await fetch(link);
      assert.equal(setup.status, 200);
      assert.match(await setup.text(), /Set up the administrator account/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
