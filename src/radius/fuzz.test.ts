// Sends 100,000 random and mutated datagrams to a running server over loopback, then checks it still answers
// a valid request correctly: no input a peer can send crashes it or wedges it (DESIGN.md "never a crash").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import {
  createRadiusServer,
  decodePacket,
  encodeValue,
  getAttribute,
  hidePassword,
  verifyResponse,
  type AccessDecision,
  type AccessRequest,
} from './index.ts';
import { openNas } from './nas.ts';

const secret = Buffer.from('fuzzing-shared-secret-0123456789');
const total = 100_000;

/** xorshift32: reproducible from the printed seed, so a failure can be replayed. */
function prng(seed: number) {
  let x = seed || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, bytes };
}

/** Wraps arbitrary attribute octets with a correct Message-Authenticator first, so junk reaches the parser. */
function signedJunk(code: number, identifier: number, body: Buffer): Buffer {
  const packet = Buffer.concat([
    Buffer.from([code, identifier, 0, 0]),
    randomBytes(16),
    Buffer.from([80, 18]),
    Buffer.alloc(16),
    body,
  ]).subarray(0, 4096);
  packet.writeUInt16BE(packet.length, 2);
  createHmac('md5', secret).update(packet).digest().copy(packet, 22);
  return packet;
}

// An authenticator that misbehaves too: throws, returns garbage, or answers normally.
async function unruly(request: AccessRequest): Promise<AccessDecision> {
  const pick = (request.password?.[0] ?? 0) % 5;
  if (pick === 0) throw new Error('unruly failure');
  if (pick === 1) return { kind: 'nonsense' } as unknown as AccessDecision;
  if (pick === 2) return { kind: 'challenge', state: request.password ?? Buffer.from('s') };
  if (pick === 3) return { kind: 'reject', replyMessage: 'ü'.repeat(300) };
  return { kind: 'accept', attributes: [{ name: 'Session-Timeout', value: 60 }] };
}

describe('fuzzing the running server', () => {
  it(`survives ${total} random and mutated datagrams and still answers a valid request`, {
    timeout: 180_000,
  }, async (t) => {
    const seed = Number(process.env.RADIUS_FUZZ_SEED ?? Date.now() % 0xffffffff);
    const random = prng(seed);
    const server = createRadiusServer({
      config: {
        port: 0,
        clients: [{ name: 'nas', address: '127.0.0.1', secret: secret.toString(), requireMessageAuthenticator: false }],
      },
      authenticate: unruly,
      account: async (r) => {
        if (r.statusType === 2) throw new Error('unruly store');
      },
    });
    const { port } = await server.listen();
    const nas = await openNas({ port, secret });
    const seedRequest = () => {
      const authenticator = random.bytes(16);
      return nas.build(
        random.int(3) === 0 ? 4 : 1,
        [
          encodeValue('User-Name', 'fuzz'),
          { type: 2, value: hidePassword(random.bytes(1 + random.int(128)), secret, authenticator) },
          { type: 24, value: random.bytes(1 + random.int(20)) },
          { type: 33, value: random.bytes(4) },
        ],
        { authenticator, messageAuthenticator: random.int(4) !== 0 },
      );
    };
    const datagram = (): Buffer => {
      switch (random.int(6)) {
        case 0:
          return random.bytes(random.int(random.int(10) === 0 ? 5000 : 300));
        case 1: {
          // flip a few octets of a valid request
          const p = seedRequest();
          for (let i = random.int(4) + 1; i > 0; i--) p[random.int(p.length)] = random.int(256);
          return p;
        }
        case 2: {
          // truncate or pad, with a lying length field
          const p = seedRequest();
          const cut = Buffer.concat([p.subarray(0, random.int(p.length + 1)), random.bytes(random.int(40))]);
          if (cut.length >= 4) cut.writeUInt16BE(random.int(0x10000), 2);
          return cut;
        }
        case 3:
          return signedJunk([1, 4, 12, 0, 2, 255][random.int(6)], random.int(256), random.bytes(random.int(200)));
        case 4: {
          // well-signed junk attributes: plausible type/length pairs, some lying
          const parts: Buffer[] = [];
          for (let i = random.int(8); i > 0; i--) {
            const v = random.bytes(random.int(30));
            parts.push(Buffer.from([random.int(100), v.length + 2 + (random.int(8) === 0 ? random.int(5) - 2 : 0)]), v);
          }
          return signedJunk(1, random.int(256), Buffer.concat(parts));
        }
        default:
          return seedRequest();
      }
    };
    const counted = () => Object.values(server.counters().clients.nas).reduce((a, b) => a + b, 0);
    try {
      for (let sent = 0; sent < total; ) {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < 100 && sent < total; i++, sent++) batch.push(nas.send(datagram()));
        await Promise.all(batch);
        // Let the server drain its socket (until its counters stop moving) so the test measures the server's
        // handling, not the kernel's receive buffer dropping a flood.
        for (let last = -1, still = 0; still < 3 && counted() < sent; ) {
          await new Promise((r) => setImmediate(r));
          if (counted() === last) still++;
          else {
            still = 0;
            last = counted();
          }
        }
      }
      t.diagnostic(`seed ${seed}: ${JSON.stringify(server.counters().clients.nas)}`);
      assert.ok(counted() >= total * 0.9, `the server handled most datagrams (${counted()} counted, seed ${seed})`);
      const authenticator = randomBytes(16);
      const request = nas.build(
        1,
        [
          encodeValue('User-Name', 'after'),
          { type: 2, value: hidePassword(Buffer.from([4, 1, 2]), secret, authenticator) },
        ],
        { authenticator },
      );
      const reply = await nas.exchange(request, 5000);
      assert.ok(reply, `the server still answers (seed ${seed})`);
      assert.equal(reply[0], 2);
      assert.ok(verifyResponse(reply, authenticator, secret));
      assert.equal(getAttribute(decodePacket(reply), 'Session-Timeout'), 60);
    } finally {
      await nas.close();
      await server.close();
    }
  });
});
