// Two `tessera serve` nodes, separate processes on one PostgreSQL, behind Debian's haproxy (round-robin, no
// stickiness), as issue 25 asks: a sign-in whose steps alternate between nodes, a RADIUS challenge answered at the
// other node, one OTP code at both nodes at once, and a node killed with -9 in the middle of a load run, after which
// every write the load generator saw committed is in the database and the audit log still verifies.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { sql } from 'kysely';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.ts';
import { createAgent, freePort, hiddenField } from '../support/tessera.ts';
import {
  createCluster,
  dropCluster,
  freeUdpPort,
  openCluster,
  startNode,
  type Cluster,
  type NodeProcess,
} from '../support/nodes.ts';
import { haproxyInstalled, startHaproxy, type Haproxy } from '../support/haproxy.ts';
import { radclient } from '../support/radclient.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { runCli } from '../support/cli.ts';
import type { TesseraServer } from '../../src/server.ts';

const secret = 'a-shared-secret-of-32-characters!';
const redirectUri = 'http://127.0.0.1:9/callback';
const password = 'a cluster pass phrase';
const generous = { limit: 1_000_000, windowSeconds: 60 };

const why = (await testDialects()).includes('postgres')
  ? haproxyInstalled()
    ? undefined
    : 'haproxy is not installed (Debian package haproxy)'
  : 'several nodes share PostgreSQL only';
if (why && process.env.CI) throw new Error(`${why}; CI requires it`);

describe('two nodes behind haproxy on one PostgreSQL', { skip: why }, () => {
  let database: TestDatabase;
  let cluster: Cluster;
  let setup: TesseraServer;
  let haproxy: Haproxy;
  const nodes: Record<'a' | 'b', NodeProcess> = {} as never;
  const radiusPorts: Record<'a' | 'b', number> = {} as never;
  let clientSecret: string;

  before(async () => {
    database = await createTestDatabase('postgres');
    const proxyPort = await freePort();
    cluster = createCluster(database.url, `http://127.0.0.1:${proxyPort}`, {
      oidc: { allowPrivateNetworkCallbacks: true },
      limits: { signInPerAccount: generous, signInPerSource: generous },
    });
    setup = await openCluster(cluster);
    const registered = await setup.clients.add({
      client_id: 'portal',
      client_name: 'Portal',
      redirect_uris: [redirectUri],
      first_party: true,
    });
    clientSecret = String(registered.client_secret);
    await setup.accounts.createByOperator({ email: 'load@example.com', password });
    await setup.policies.save(
      { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
      0,
    );
    for (const name of ['a', 'b'] as const) {
      radiusPorts[name] = await freeUdpPort();
      const radius = {
        port: radiusPorts[name],
        accountingPort: await freeUdpPort(),
        clients: [{ name: 'vpn', address: '127.0.0.1', secret }],
      };
      // Node a runs two workers (`--workers 2`): its steps and packets land on either, like a's and b's.
      nodes[name] = await startNode(cluster, name, { radius, server: { workers: name === 'a' ? 2 : 1 } });
    }
    haproxy = await startHaproxy(cluster.dir, { a: nodes.a.port, b: nodes.b.port }, proxyPort);
  });

  after(async () => {
    await haproxy?.stop();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
    await setup?.close();
    await database?.drop();
    if (cluster) dropCluster(cluster);
  });

  /** One authorization-code sign-in through haproxy, hop by hop; `served` is the node that answered each hop. */
  async function signIn(email: string) {
    const agent = createAgent();
    const served: string[] = [];
    const hop = async (response: Response) => {
      served.push(response.headers.get('x-served-by') ?? '?');
      return response;
    };
    const config = new client.Configuration(
      { issuer: cluster.issuer, token_endpoint: `${cluster.issuer}/oidc/token` },
      'portal',
      clientSecret,
    );
    client.allowInsecureRequests(config);
    const verifier = client.randomPKCECodeVerifier();
    const authorize = new URL(`${cluster.issuer}/oidc/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'portal',
      response_type: 'code',
      scope: 'openid email',
      redirect_uri: redirectUri,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    let url = authorize.toString();
    let response = await hop(await agent.request(url));
    while (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).toString();
      response = await hop(await agent.request(url));
    }
    const page = await response.text();
    response = await hop(await agent.postForm(`${url}/login`, { csrf: hiddenField(page, 'csrf'), email, password }));
    const loggedIn = response.status === 303;
    if (!loggedIn) return { served, loggedIn, tokens: undefined };
    url = new URL(response.headers.get('location')!, url).toString();
    while (!url.startsWith(redirectUri)) {
      response = await hop(await agent.request(url));
      if (response.status < 300 || response.status >= 400) throw new Error(`${url} answered ${response.status}`);
      url = new URL(response.headers.get('location')!, url).toString();
    }
    const code = new URL(url).searchParams.get('code')!;
    const token = await hop(
      await fetch(`${cluster.issuer}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`portal:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        }),
      }),
    );
    const tokens =
      token.status === 200 ? ((await token.json()) as { id_token: string; access_token: string }) : undefined;
    return { served, loggedIn, tokens, tokenStatus: token.status };
  }

  it('signs in with steps that alternate between the nodes, and either node verifies the other’s tokens', async () => {
    const { served, loggedIn, tokens } = await signIn('load@example.com');
    assert.ok(loggedIn);
    assert.ok(tokens, 'tokens issued');
    assert.ok(served.length >= 4, `hops: ${served.join(' ')}`);
    for (let i = 1; i < served.length; i++) assert.notEqual(served[i], served[i - 1], `hops: ${served.join(' ')}`);
    // The ID token verifies against the JWKS of each node, whichever signed it.
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    for (const node of Object.values(nodes)) {
      const jwks = createRemoteJWKSet(new URL(`${node.url}/oidc/jwks`));
      const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: cluster.issuer, audience: 'portal' });
      assert.ok(payload.sub);
    }
  });

  const login = (node: 'a' | 'b', user: string, pass: string, extra: string[] = []) =>
    radclient({
      port: radiusPorts[node],
      secret,
      command: 'auth',
      attributes: [`User-Name = "${user}"`, `User-Password = "${pass}"`, 'Message-Authenticator = 0x00', ...extra],
    });
  const state = (reply: { attributes: Array<{ name: string; value: string }> }) =>
    reply.attributes.find((a) => a.name === 'State')!.value;
  async function employee(email: string) {
    const account = await setup.accounts.createByOperator({ email, password: 'a vpn passphrase', workforce: true });
    return enrolMobileToken(setup, account.id, email);
  }

  it('answers at one node the RADIUS challenge the other node sent', async () => {
    const key = await employee('vpn-other-node@example.com');
    const challenge = await login('a', 'vpn-other-node@example.com', 'a vpn passphrase');
    assert.equal(challenge.code, 'Access-Challenge');
    const answer = await login('b', 'vpn-other-node@example.com', oathtool(key), [`State = ${state(challenge)}`]);
    assert.equal(answer.code, 'Access-Accept');
    // The State was spent at b: a replay at a is refused.
    const replay = await login('a', 'vpn-other-node@example.com', oathtool(key), [`State = ${state(challenge)}`]);
    assert.equal(replay.code, 'Access-Reject');
  });

  it('accepts one OTP code once when it reaches both nodes at the same moment', async () => {
    const key = await employee('vpn-same-code@example.com');
    // Two challenges, one per node, both answered at once with the same code.
    const [atA, atB] = await Promise.all([
      login('a', 'vpn-same-code@example.com', 'a vpn passphrase'),
      login('b', 'vpn-same-code@example.com', 'a vpn passphrase'),
    ]);
    assert.deepEqual([atA.code, atB.code], ['Access-Challenge', 'Access-Challenge']);
    const code = oathtool(key);
    const answers = await Promise.all([
      login('a', 'vpn-same-code@example.com', code, [`State = ${state(atA)}`]),
      login('b', 'vpn-same-code@example.com', code, [`State = ${state(atB)}`]),
    ]);
    assert.deepEqual(answers.map((a) => a.code).sort(), ['Access-Accept', 'Access-Reject']);
  });

  it('carries on when a node is killed with -9 under load, and loses nothing that was committed', async () => {
    const db = setup.store.db;
    const count = async (action: string) =>
      Number(
        (
          await db
            .selectFrom('audit_events')
            .select(sql<number>`count(*)`.as('n'))
            .where('action', '=', action)
            .where('outcome', '=', 'success')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const tokensIn = async () =>
      Number(
        (
          await db
            .selectFrom('oidc_payloads')
            .select(sql<number>`count(*)`.as('n'))
            .where('model', '=', 'AuthorizationCode')
            .where('consumed_at', 'is not', null)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = { signIns: await count('account.sign_in'), tokens: await tokensIn() };
    const seen = { loggedIn: 0, tokens: 0, failed: 0, statuses: new Map<string, number>() };
    const deadline = Date.now() + 8000;
    let killedAt = 0;
    const killer = new Promise<void>((resolve) =>
      setTimeout(() => {
        nodes.b.process.kill('SIGKILL');
        killedAt = Date.now();
        resolve();
      }, 2500),
    );
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (Date.now() < deadline) {
          try {
            const result = await signIn('load@example.com');
            if (result.loggedIn) seen.loggedIn++;
            if (result.tokens) seen.tokens++;
            else {
              seen.failed++;
              const key = String(result.tokenStatus ?? 'login');
              seen.statuses.set(key, (seen.statuses.get(key) ?? 0) + 1);
            }
          } catch (err) {
            seen.failed++;
            const cause = (err as { cause?: { code?: string; message?: string } }).cause;
            const key = `${(err as Error).message}: ${cause?.code ?? cause?.message ?? ''}`;
            seen.statuses.set(key, (seen.statuses.get(key) ?? 0) + 1);
          }
        }
      }),
    );
    await killer;
    assert.ok(killedAt > 0);
    const after = {
      signIns: (await count('account.sign_in')) - before.signIns,
      tokens: (await tokensIn()) - before.tokens,
    };
    const report = `seen ${JSON.stringify({ ...seen, statuses: Object.fromEntries(seen.statuses) })}, committed ${JSON.stringify(after)}`;
    console.log(`kill -9 under load: ${report}`);
    assert.ok(seen.tokens >= 5, `the load ran: ${report}`);
    // Every success the generator saw is in the database; what more is there was committed by b with its answer lost.
    assert.ok(after.signIns >= seen.loggedIn, report);
    assert.ok(after.tokens >= seen.tokens, report);
    // Losses are requests in flight at the kill: few, and never more than the generator's concurrency per step.
    assert.ok(seen.failed <= 12 * 3, report);
    assert.ok(after.signIns - seen.loggedIn <= seen.failed, report);
    // The survivor serves every sign-in started after haproxy saw b gone.
    const late = await signIn('load@example.com');
    assert.ok(late.tokens, 'a sign-in after the kill');
    assert.ok(
      late.served.every((s) => s === 'a'),
      late.served.join(' '),
    );
    const verify = await runCli(['audit', 'verify'], {
      TESSERA_DATABASE_URL: cluster.databaseUrl,
      TESSERA_SECRETS_KEY_ENCRYPTION_KEY: cluster.keyEncryptionKey,
      TESSERA_DATA_DIR: cluster.dir,
      TESSERA_LOG_LEVEL: 'silent',
    });
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /intact/);
  });
});
