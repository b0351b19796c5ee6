// The server against the real FreeRADIUS `radclient` as the NAS (checklist T38, T39, T42 plumbing).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import {
  createRadiusServer,
  RadiusConfigError,
  RadiusPortError,
  type AccessDecision,
  type AccessRequest,
  type AccountingRecord,
  type RadiusClientConfig,
} from './index.ts';
import { radclient } from '../../test/support/radclient.ts';

const secret = 'vpn-shared-secret-0123456789abcdef';

/** A small real authenticator: alice accepts, bob rejects, carol must answer a challenge, crash throws. */
function directory() {
  const calls: AccessRequest[] = [];
  const issued = new Map<string, string>();
  let n = 0;
  async function authenticate(request: AccessRequest): Promise<AccessDecision> {
    calls.push(request);
    const password = request.password?.toString('utf8');
    if (request.userName === 'crash') throw new Error(`store down while checking ${password}`);
    if (request.userName === 'alice' && password === 'correct horse')
      return { kind: 'accept', replyMessage: 'Welcome alice', attributes: [{ name: 'Session-Timeout', value: 3600 }] };
    if (request.userName === 'carol') {
      if (request.state === null && password === 'carol-pw') {
        const state = `challenge-${++n}`;
        issued.set(state, 'carol');
        return { kind: 'challenge', state: Buffer.from(state), replyMessage: 'Enter your one-time code' };
      }
      const owner = request.state ? issued.get(request.state.toString()) : undefined;
      if (request.state) issued.delete(request.state.toString());
      if (owner === 'carol' && password === '123456') return { kind: 'accept', replyMessage: 'Welcome carol' };
    }
    return { kind: 'reject', replyMessage: 'Wrong name, password or code' };
  }
  return { calls, authenticate };
}

async function start(
  clients: Array<{ name: string; address: string; secret: string; requireMessageAuthenticator?: boolean }>,
  dir = directory(),
  account?: (r: AccountingRecord) => Promise<void>,
) {
  const server = createRadiusServer({ config: { port: 0, clients }, authenticate: dir.authenticate, account });
  const { port, accountingPort } = await server.listen();
  return { server, port, accountingPort, dir };
}

const withMa = (...lines: string[]) => [...lines, 'Message-Authenticator = 0x00'];
const reply = (r: { attributes: Array<{ name: string; value: string }> }, name: string) =>
  r.attributes.filter((a) => a.name === name).map((a) => a.value);

describe('RADIUS server with radclient as the NAS', () => {
  let strict: Awaited<ReturnType<typeof start>>;
  let legacy: Awaited<ReturnType<typeof start>>;
  const records: AccountingRecord[] = [];
  before(async () => {
    strict = await start([{ name: 'vpn', address: '127.0.0.0/8', secret }], directory(), async (r) => {
      if (r.sessionId === 'unwritable') throw new Error('disk full');
      records.push(r);
    });
    legacy = await start([{ name: 'old-nas', address: '127.0.0.1', secret, requireMessageAuthenticator: false }]);
  });
  after(async () => {
    await strict.server.close();
    await legacy.server.close();
  });

  const auth = (port: number, attributes: string[], s = secret) =>
    radclient({ port, secret: s, command: 'auth', attributes });

  it('accepts the right password with Message-Authenticator; radclient checks our reply', async () => {
    const r = await auth(strict.port, withMa('User-Name = "alice"', 'User-Password = "correct horse"'));
    assert.equal(r.code, 'Access-Accept', r.stdout + r.stderr);
    assert.deepEqual(reply(r, 'Reply-Message'), ['Welcome alice']);
    assert.deepEqual(reply(r, 'Session-Timeout'), ['3600']);
    assert.equal(r.attributes[0].name, 'Message-Authenticator', 'Message-Authenticator is the first reply attribute');
    assert.doesNotMatch(r.stderr, /invalid|Message-Authenticator/i);
    assert.equal(strict.server.counters().clients.vpn.access_accept, 1);
  });

  it('rejects a wrong password with a Reply-Message', async () => {
    const r = await auth(strict.port, withMa('User-Name = "bob"', 'User-Password = "guess"'));
    assert.equal(r.code, 'Access-Reject');
    assert.deepEqual(reply(r, 'Reply-Message'), ['Wrong name, password or code']);
  });

  it('challenges, then accepts the second request that carries the State; a reused State is refused', async () => {
    const first = await auth(strict.port, withMa('User-Name = "carol"', 'User-Password = "carol-pw"'));
    assert.equal(first.code, 'Access-Challenge');
    assert.deepEqual(reply(first, 'Reply-Message'), ['Enter your one-time code']);
    const [state] = reply(first, 'State');
    assert.match(state, /^0x[0-9a-f]+$/);
    const second = await auth(
      strict.port,
      withMa('User-Name = "carol"', 'User-Password = "123456"', `State = ${state}`),
    );
    assert.equal(second.code, 'Access-Accept');
    assert.deepEqual(reply(second, 'Reply-Message'), ['Welcome carol']);
    const replayed = await auth(
      strict.port,
      withMa('User-Name = "carol"', 'User-Password = "123456"', `State = ${state}`),
    );
    assert.equal(replayed.code, 'Access-Reject');
  });

  it('drops an Access-Request without Message-Authenticator when the client requires it (T39)', async () => {
    const before = strict.dir.calls.length;
    const r = await auth(strict.port, ['User-Name = "alice"', 'User-Password = "correct horse"']);
    assert.equal(r.code, null, 'no reply: radclient times out');
    assert.equal(strict.server.counters().clients.vpn.missing_message_authenticator, 1);
    assert.equal(strict.dir.calls.length, before, 'the password was never checked');
  });

  it('answers an old NAS without Message-Authenticator when its flag allows, still with Message-Authenticator first', async () => {
    const r = await auth(legacy.port, ['User-Name = "alice"', 'User-Password = "correct horse"']);
    assert.equal(r.code, 'Access-Accept');
    assert.equal(r.attributes[0].name, 'Message-Authenticator');
  });

  it('drops Proxy-State without Message-Authenticator even from an old NAS (limit_proxy_state)', async () => {
    const r = await auth(legacy.port, [
      'User-Name = "alice"',
      'User-Password = "correct horse"',
      'Proxy-State = 0x01020304',
    ]);
    assert.equal(r.code, null);
    assert.equal(legacy.server.counters().clients['old-nas'].proxy_state_without_message_authenticator, 1);
  });

  it('gives no answer to a wrong shared secret and never checks the password (T39)', async () => {
    const before = strict.dir.calls.length;
    const r = await auth(
      strict.port,
      withMa('User-Name = "alice"', 'User-Password = "correct horse"'),
      'not-the-shared-secret-at-all',
    );
    assert.equal(r.code, null);
    assert.equal(strict.server.counters().clients.vpn.bad_message_authenticator, 1);
    assert.equal(strict.dir.calls.length, before);
  });

  it('answers Status-Server with Access-Accept (RFC 5997)', async () => {
    const r = await radclient({ port: strict.port, secret, command: 'status', attributes: withMa() });
    assert.equal(r.code, 'Access-Accept');
    assert.equal(strict.server.counters().clients.vpn.status_server, 1);
  });

  it('records accounting and answers Accounting-Response; no answer when the record cannot be stored', async () => {
    const r = await radclient({
      port: strict.port,
      secret,
      command: 'acct',
      attributes: ['User-Name = "alice"', 'Acct-Status-Type = Start', 'Acct-Session-Id = "s-42"', 'NAS-Port = 7'],
    });
    assert.equal(r.code, 'Accounting-Response');
    assert.equal(records.length, 1);
    assert.equal(records[0].statusType, 1);
    assert.equal(records[0].sessionId, 's-42');
    assert.equal(records[0].client, 'vpn');
    assert.deepEqual(records[0].attributes.find((a) => a.name === 'NAS-Port')?.value, 7);
    // RFC 2866 §2: the NAS must keep (and retry) a record the server could not store.
    const lost = await radclient({
      port: strict.port,
      secret,
      command: 'acct',
      attributes: ['Acct-Status-Type = Stop', 'Acct-Session-Id = "unwritable"'],
    });
    assert.equal(lost.code, null);
    assert.equal(strict.server.counters().clients.vpn.account_error, 1);
    const forged = await radclient({
      port: strict.port,
      secret: 'not-the-shared-secret-at-all',
      command: 'acct',
      attributes: ['Acct-Status-Type = Start', 'Acct-Session-Id = "forged"'],
    });
    assert.equal(forged.code, null);
    assert.equal(records.length, 1, 'a forged record is not stored');
  });

  it('turns a throwing authenticator into a generic Access-Reject and keeps serving', async () => {
    const r = await auth(strict.port, withMa('User-Name = "crash"', 'User-Password = "hunter2"'));
    assert.equal(r.code, 'Access-Reject');
    const [message] = reply(r, 'Reply-Message');
    assert.ok(message && !message.includes('hunter2') && !message.includes('store down'), 'no internal detail leaks');
    assert.equal(strict.server.counters().clients.vpn.authenticate_error, 1);
    const after = await auth(strict.port, withMa('User-Name = "alice"', 'User-Password = "correct horse"'));
    assert.equal(after.code, 'Access-Accept');
  });

  it('drops and counts requests from an unknown client (T38)', async () => {
    const elsewhere = await start([{ name: 'branch', address: '10.0.0.0/8', secret }]);
    try {
      const r = await auth(elsewhere.port, withMa('User-Name = "alice"', 'User-Password = "correct horse"'));
      assert.equal(r.code, null);
      assert.equal(elsewhere.server.counters().unknownClient, 1);
      assert.equal(elsewhere.dir.calls.length, 0);
    } finally {
      await elsewhere.server.close();
    }
  });
});

describe('RADIUS client configuration', () => {
  const config = (client: Record<string, unknown>) => ({
    port: 0,
    clients: [{ name: 'nas', address: '192.0.2.1', secret, ...client }],
  });
  const refused = (input: ReturnType<typeof config> | Record<string, unknown>, key: RegExp) => {
    assert.throws(
      () => createRadiusServer({ config: input as never, authenticate: async () => ({ kind: 'reject' }) }),
      (e: unknown) =>
        e instanceof RadiusConfigError &&
        e.code === 'radius.config_invalid' &&
        key.test(e.message) &&
        !e.message.includes('short-secret'),
    );
  };
  it('refuses a shared secret shorter than 16 octets, naming the key but not the secret (T38)', () => {
    refused(config({ secret: 'short-secret' }), /radius\.clients\.0\.secret: must be at least 16 octets/);
  });
  it('refuses an address that is neither an IP nor a CIDR network', () => {
    for (const address of ['nas.example.org', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', ''])
      refused(config({ address }), /radius\.clients\.0\.address/);
  });
  it('refuses two clients with one name', () => {
    refused(
      {
        port: 0,
        clients: [
          { name: 'a', address: '192.0.2.1', secret },
          { name: 'a', address: '192.0.2.2', secret },
        ],
      },
      /radius\.clients\.1\.name: must be unique/,
    );
  });
  it('counts 16 octets, not characters: 8 two-octet characters are enough', () => {
    assert.doesNotThrow(() =>
      createRadiusServer({ config: config({ secret: 'éééééééé' }), authenticate: async () => ({ kind: 'reject' }) }),
    );
  });
});

describe('RADIUS accounting port (RFC 2866 §3)', () => {
  it('takes accounting and Status-Server there, and leaves Access-Requests to the authentication port', async () => {
    const records: AccountingRecord[] = [];
    const { server, accountingPort, dir } = await start(
      [{ name: 'vpn', address: '127.0.0.1', secret }],
      directory(),
      async (r) => {
        records.push(r);
      },
    );
    try {
      const acct = await radclient({
        port: accountingPort,
        secret,
        command: 'acct',
        attributes: ['User-Name = "alice"', 'Acct-Session-Id = "on-1813"', 'Acct-Status-Type = Start'],
      });
      assert.equal(acct.code, 'Accounting-Response');
      assert.equal(records[0].sessionId, 'on-1813');
      const status = await radclient({ port: accountingPort, secret, command: 'status', attributes: withMa() });
      assert.equal(status.code, 'Accounting-Response', 'RFC 5997: Status-Server on the accounting port');
      const access = await radclient({
        port: accountingPort,
        secret,
        command: 'auth',
        attributes: withMa('User-Name = "alice"', 'User-Password = "correct horse"'),
      });
      assert.equal(access.code, null);
      assert.equal(dir.calls.length, 0, 'no password was checked on the accounting port');
    } finally {
      await server.close();
    }
  });
});

describe('RADIUS clients loaded at run time', () => {
  it('answers a client that appears in the store, keeps the table when the store fails, drops a removed client', async () => {
    let stored = [
      {
        name: 'added',
        address: '127.0.0.1',
        secret,
        requireMessageAuthenticator: true,
        passwordAndCode: true,
        allowedGroups: [],
      },
    ];
    let failing = false;
    const seen: AccessRequest[] = [];
    const server = createRadiusServer({
      config: { port: 0, clientRefreshMs: 100, clients: [{ name: 'elsewhere', address: '192.0.2.1', secret }] },
      loadClients: async () => {
        if (failing) throw new Error('database unreachable');
        return stored;
      },
      authenticate: async (request) => {
        seen.push(request);
        return { kind: 'reject' };
      },
    });
    const { port } = await server.listen();
    try {
      const send = () =>
        radclient({ port, secret, command: 'auth', attributes: withMa('User-Name = "dave"', 'User-Password = "pw"') });
      assert.equal((await send()).code, 'Access-Reject');
      assert.equal(seen[0].client, 'added');
      assert.equal(seen[0].passwordAndCode, true, "the stored client's passOTP setting reaches the authenticator");
      failing = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal((await send()).code, 'Access-Reject', 'a failing store leaves the known clients in place');
      failing = false;
      stored = [];
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal((await send()).code, null, 'a removed client is dropped at the next refresh');
      assert.equal(server.counters().unknownClient, 1);
    } finally {
      await server.close();
    }
  });

  it('answers a gateway added while a refresh was reading the store: its first packet waits for a fresh read', async () => {
    // The refresh in flight read the store before the operator added the gateway; joining it would drop the packet.
    let stored: RadiusClientConfig[] = [];
    let releaseSlowRead: () => void = () => {};
    let reads = 0;
    const server = createRadiusServer({
      config: { port: 0, clientRefreshMs: 50, clients: [] },
      loadClients: async () => {
        reads += 1;
        const snapshot = stored;
        if (reads === 2)
          await new Promise<void>((resolve) => {
            releaseSlowRead = resolve;
          });
        return snapshot;
      },
      authenticate: async () => ({ kind: 'reject' }),
    });
    const { port } = await server.listen();
    try {
      while (reads < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      stored = [
        {
          name: 'added',
          address: '127.0.0.1',
          secret,
          requireMessageAuthenticator: true,
          passwordAndCode: false,
          allowedGroups: [],
        },
      ];
      const reply = radclient({
        port,
        secret,
        command: 'auth',
        attributes: withMa('User-Name = "dave"', 'User-Password = "pw"'),
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      releaseSlowRead();
      assert.equal((await reply).code, 'Access-Reject', 'the new gateway is answered on its first packet');
    } finally {
      await server.close();
    }
  });
});

describe('RADIUS clients added while the server runs', () => {
  const added: RadiusClientConfig = {
    name: 'added',
    address: '127.0.0.1',
    secret,
    requireMessageAuthenticator: true,
    passwordAndCode: false,
    allowedGroups: [],
  };

  it("answers all of a new gateway's simultaneous first packets, not only the one that started the read", async () => {
    // The store answers slowly (a busy database): the packets after the first arrive while its read is under way.
    let stored: RadiusClientConfig[] = [];
    let reads = 0;
    const server = createRadiusServer({
      config: { port: 0, clientRefreshMs: 3_600_000, clients: [] },
      loadClients: async () => {
        reads += 1;
        const snapshot = stored;
        await new Promise((resolve) => setTimeout(resolve, 200));
        return snapshot;
      },
      authenticate: async () => ({ kind: 'reject' }),
    });
    const { port } = await server.listen();
    try {
      stored = [added];
      const send = (user: string) =>
        radclient({
          port,
          secret,
          command: 'auth',
          retries: 1,
          timeoutSeconds: 3,
          attributes: withMa(`User-Name = "${user}"`, 'User-Password = "pw"'),
        });
      const replies = await Promise.all([send('dave'), send('erin'), send('frank')]);
      assert.deepEqual(
        replies.map((r) => r.code),
        ['Access-Reject', 'Access-Reject', 'Access-Reject'],
        'each first packet is answered',
      );
      assert.equal(reads, 2, 'one read at start, one for the three packets');
    } finally {
      await server.close();
    }
  });

  it('spends at most one read a second on a flood from an unknown address', async () => {
    let now = 1_000_000;
    let reads = 0;
    const server = createRadiusServer({
      config: { port: 0, clientRefreshMs: 3_600_000, clients: [] },
      clock: { now: () => now },
      loadClients: async () => {
        reads += 1;
        return [];
      },
      authenticate: async () => ({ kind: 'reject' }),
    });
    const { port } = await server.listen();
    const socket = createSocket('udp4');
    let sent = 0;
    try {
      // Access-Requests of 20 bytes (code 1, a length, a random authenticator): enough to be looked up by address.
      const flood = async (packets: number) => {
        for (let i = 0; i < packets; i++) {
          const packet = Buffer.alloc(20);
          packet[0] = 1;
          packet[1] = i & 0xff;
          packet.writeUInt16BE(20, 2);
          await new Promise<void>((resolve) => socket.send(packet, port, '127.0.0.1', () => resolve()));
        }
        while (server.counters().unknownClient < sent + packets) await new Promise((r) => setTimeout(r, 5));
        sent += packets;
      };
      const atStart = reads;
      await flood(200);
      assert.equal(reads - atStart, 1, 'one read for a second of flood');
      now += 1000;
      await flood(200);
      assert.equal(reads - atStart, 2, 'and one more in the next second');
    } finally {
      socket.close();
      await server.close();
    }
  });
});

describe('RADIUS ports', () => {
  // A port another program holds is a conflict the composer names with its setting, not a wrong configuration.
  it('refuses a taken authentication or accounting port with a port error naming which one', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const taken = holder.address().port;
    try {
      const cases = [
        [{ port: taken }, 'port'],
        [{ port: 0, accountingPort: taken }, 'accountingPort'],
      ] as const;
      for (const [config, key] of cases) {
        const server = createRadiusServer({
          config: { ...config, clients: [] } as never,
          authenticate: async () => ({ kind: 'reject' }),
        });
        await assert.rejects(
          server.listen(),
          (e: unknown) =>
            e instanceof RadiusPortError &&
            e.code === 'radius.port_in_use' &&
            e.key === key &&
            e.port === taken &&
            e.host === '127.0.0.1',
        );
        await server.close();
      }
    } finally {
      holder.close();
    }
  });
});
