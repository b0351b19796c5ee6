// Packet-level server behaviour that radclient cannot show: raw reply octets (BlastRADIUS T40), the RFC 5080
// duplicate cache (T41) and graceful close.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { manualClock } from '../clock/index.ts';
import {
  createRadiusServer,
  decodePacket,
  encodeValue,
  getAttributes,
  hidePassword,
  type AccessDecision,
  type AccessRequest,
  type RadiusServer,
} from './index.ts';
import { openNas, type Nas } from './nas.ts';

const secret = Buffer.from('raw-packet-shared-secret-0123456');
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function setup(
  authenticate: (r: AccessRequest) => Promise<AccessDecision>,
  extra: { duplicateCacheSize?: number; clock?: ReturnType<typeof manualClock> } = {},
) {
  const server: RadiusServer = createRadiusServer({
    config: {
      port: 0,
      clients: [{ name: 'nas', address: '127.0.0.1', secret: secret.toString() }],
      duplicateCacheSize: extra.duplicateCacheSize,
    },
    authenticate,
    account: async () => {},
    clock: extra.clock,
  });
  const { port } = await server.listen();
  const nas: Nas = await openNas({ port, secret });
  open.push(nas, server);
  return { server, nas };
}

function accessRequest(
  nas: Nas,
  user: string,
  password: string,
  more: Array<{ type: number; value: Buffer }> = [],
  options: { authenticator?: Buffer; identifier?: number } = {},
) {
  const authenticator = options.authenticator ?? randomBytes(16);
  return nas.build(
    1,
    [
      encodeValue('User-Name', user),
      { type: 2, value: hidePassword(Buffer.from(password), secret, authenticator) },
      ...more,
    ],
    { authenticator, identifier: options.identifier },
  );
}

/** Checks a reply without the codec: attribute 80 of length 18 at offset 20, HMAC-MD5 and MD5 by hand. */
function assertBlastRadiusSafe(reply: Buffer, request: Buffer) {
  assert.equal(reply[20], 80, 'first attribute is Message-Authenticator');
  assert.equal(reply[21], 18);
  const accounting = reply[0] === 5;
  const hmacInput = Buffer.from(reply);
  (accounting ? Buffer.alloc(16) : request.subarray(4, 20)).copy(hmacInput, 4);
  hmacInput.fill(0, 22, 38);
  assert.deepEqual(createHmac('md5', secret).update(hmacInput).digest(), reply.subarray(22, 38), 'HMAC-MD5 matches');
  const md5Input = Buffer.from(reply);
  request.copy(md5Input, 4, 4, 20);
  assert.deepEqual(
    createHash('md5').update(md5Input).update(secret).digest(),
    reply.subarray(4, 20),
    'Response Authenticator matches',
  );
  assert.equal(decodePacket(reply).attributes[0].type, 80, 'the codec agrees');
}

describe('every response has Message-Authenticator first (BlastRADIUS, T40)', () => {
  it('Access-Accept, Access-Reject, Access-Challenge, a crash Reject and Status-Server; Accounting-Response is signed by its authenticator', async () => {
    const decide: Record<string, AccessDecision> = {
      accept: { kind: 'accept', replyMessage: 'ok' },
      reject: { kind: 'reject', replyMessage: 'no' },
      challenge: { kind: 'challenge', state: randomBytes(16), replyMessage: 'code?' },
    };
    const { nas } = await setup(async (r) => {
      const d = decide[r.userName ?? ''];
      if (!d) throw new Error('boom');
      return d;
    });
    const expected: Array<[Buffer, number]> = [
      [accessRequest(nas, 'accept', 'pw'), 2],
      [accessRequest(nas, 'reject', 'pw'), 3],
      [accessRequest(nas, 'challenge', 'pw'), 11],
      [accessRequest(nas, 'crash', 'pw'), 3],
      [nas.build(12, []), 2],
    ];
    for (const [request, code] of expected) {
      const reply = await nas.exchange(request);
      assert.ok(reply, `a reply to code ${request[0]}`);
      assert.equal(reply[0], code);
      assertBlastRadiusSafe(reply, request);
    }
    // No RFC fixes the vector for an Accounting-Response's Message-Authenticator and peers disagree, so it has none;
    // its Response Authenticator (RFC 2866 §3) is what the NAS checks.
    const accounting = nas.build(4, [encodeValue('Acct-Status-Type', 1), encodeValue('Acct-Session-Id', 'x')], {
      messageAuthenticator: false,
    });
    const reply = await nas.exchange(accounting);
    assert.ok(reply);
    assert.equal(reply[0], 5);
    assert.ok(!decodePacket(reply).attributes.some((a) => a.type === 80));
    const md5Input = Buffer.from(reply);
    accounting.copy(md5Input, 4, 4, 20);
    assert.deepEqual(createHash('md5').update(md5Input).update(secret).digest(), reply.subarray(4, 20));
  });

  it('copies Proxy-State attributes in order after Message-Authenticator (RFC 2865 §5.33)', async () => {
    const { nas } = await setup(async () => ({ kind: 'accept' }));
    const states = [Buffer.from('hop-1'), Buffer.from('hop-2')];
    const request = accessRequest(
      nas,
      'u',
      'pw',
      states.map((value) => ({ type: 33, value })),
    );
    const reply = await nas.exchange(request);
    assert.ok(reply);
    assertBlastRadiusSafe(reply, request);
    assert.deepEqual(getAttributes(decodePacket(reply), 'Proxy-State'), states);
  });

  it('drops a request with two Message-Authenticators or a tampered one', async () => {
    const { nas, server } = await setup(async () => ({ kind: 'accept' }));
    const request = accessRequest(nas, 'u', 'pw');
    const tampered = Buffer.from(request);
    tampered[25] ^= 0xff;
    assert.equal(await nas.exchange(tampered, 300), null);
    // RFC 3579 §3.2: at most one Message-Authenticator; a second one (even all zeros) makes the packet invalid.
    const valid = accessRequest(nas, 'u', 'pw');
    const twice = Buffer.concat([valid, Buffer.from([80, 18]), Buffer.alloc(16)]);
    twice.writeUInt16BE(twice.length, 2);
    assert.equal(await nas.exchange(twice, 300), null);
    assert.equal(server.counters().clients.nas.bad_message_authenticator, 2);
  });

  it('passes a 100-octet multi-block password intact and refuses a malformed decision with a generic Reject', async () => {
    const seen: string[] = [];
    const { nas } = await setup(async (r) => {
      seen.push(r.password?.toString() ?? '');
      return r.userName === 'bad'
        ? ({ kind: 'challenge' } as unknown as AccessDecision)
        : { kind: 'accept', attributes: [{ name: 'Message-Authenticator', value: Buffer.alloc(16) }] };
    });
    const long = `${'p'.repeat(99)}Z`;
    const reply = await nas.exchange(accessRequest(nas, 'good', long));
    assert.equal(seen[0], long);
    assert.equal(reply?.[0], 3, 'a decision trying to set Message-Authenticator is refused');
    const bad = await nas.exchange(accessRequest(nas, 'bad', 'x'));
    assert.equal(bad?.[0], 3, 'a challenge without State is refused');
  });
});

describe('duplicate detection (RFC 5080, T41)', () => {
  it('answers a retransmission from cache without authenticating again; a new authenticator is a new request', async () => {
    let calls = 0;
    const { nas, server } = await setup(async () => {
      calls++;
      return { kind: 'accept', replyMessage: `call ${calls}` };
    });
    const request = accessRequest(nas, 'u', '123456', [], { identifier: 9 });
    const first = await nas.exchange(request);
    const again = await nas.exchange(request);
    assert.ok(first && again);
    assert.deepEqual(again, first, 'the identical reply');
    assert.equal(calls, 1, 'the one-time code is checked once');
    assert.equal(server.counters().clients.nas.duplicate, 1);
    const fresh = await nas.exchange(accessRequest(nas, 'u', '123456', [], { identifier: 9 }));
    assert.equal(calls, 2);
    assert.deepEqual(getAttributes(decodePacket(fresh!), 'Reply-Message'), ['call 2']);
  });

  it('drops a retransmission that arrives while the first is still being authenticated', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { nas, server } = await setup(async () => {
      calls++;
      entered();
      await gate;
      return { kind: 'accept' };
    });
    const request = accessRequest(nas, 'u', 'pw');
    const pending = nas.exchange(request);
    await inside;
    await nas.send(request);
    while (server.counters().clients.nas.in_progress === 0) await new Promise((r) => setImmediate(r));
    release();
    assert.equal((await pending)?.[0], 2);
    assert.equal(calls, 1);
  });

  it('forgets replies after the TTL and keeps the cache bounded', async () => {
    const clock = manualClock();
    let calls = 0;
    const { nas } = await setup(
      async () => {
        calls++;
        return { kind: 'reject' };
      },
      { clock, duplicateCacheSize: 2 },
    );
    const a = accessRequest(nas, 'a', 'pw');
    await nas.exchange(a);
    await nas.exchange(a);
    assert.equal(calls, 1);
    clock.advance(5001);
    await nas.exchange(a);
    assert.equal(calls, 2, 'after 5 s the same octets are a new request');
    await nas.exchange(accessRequest(nas, 'b', 'pw'));
    await nas.exchange(accessRequest(nas, 'c', 'pw'));
    await nas.exchange(a);
    assert.equal(calls, 5, 'the oldest entry was evicted when the cache was full');
  });
});

describe('close()', () => {
  it('finishes an answer in progress, then stops answering', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { nas, server } = await setup(async () => {
      entered();
      await gate;
      return { kind: 'accept' };
    });
    const pending = nas.exchange(accessRequest(nas, 'u', 'pw'));
    await inside;
    const closed = server.close();
    release();
    assert.equal((await pending)?.[0], 2, 'the user in the middle of signing in still gets the answer');
    await closed;
    assert.equal(await nas.exchange(accessRequest(nas, 'u', 'pw'), 300), null);
  });
});
