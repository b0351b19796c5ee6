import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createHash, createHmac } from 'node:crypto';
import {
  hidePassword,
  unhidePassword,
  decodePacket,
  getAttribute,
  verifyMessageAuthenticator,
  verifyAccountingRequest,
  encodeRequest,
  encodeResponse,
  encodeValue,
  verifyResponse,
  RadiusDecodeError,
  RadiusEncodeError,
} from './index.ts';
import { radclient } from '../../test/support/radclient.ts';

const secret = 'a-shared-secret-of-32-characters';
const key = Buffer.from(secret);

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  it('matches the RFC 2865 §7.1 vector', () => {
    const authenticator = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');
    const hidden = hidePassword(Buffer.from('arctangent'), Buffer.from('xyzzy5461'), authenticator);
    assert.equal(hidden.toString('hex'), '0dbe708d93d413ce3196e43f782a0aee');
  });

  it('round-trips every length from 1 to 128 octets and refuses 0 or 129', () => {
    const authenticator = Buffer.alloc(16, 0xab);
    for (let length = 1; length <= 128; length++) {
      const password = Buffer.alloc(length, 0x41 + (length % 26));
      const hidden = hidePassword(password, key, authenticator);
      assert.equal(hidden.length, Math.ceil(length / 16) * 16);
      assert.deepEqual(unhidePassword(hidden, key, authenticator), password);
    }
    assert.throws(() => hidePassword(Buffer.alloc(0), key, authenticator), RadiusEncodeError);
    assert.throws(() => hidePassword(Buffer.alloc(129, 1), key, authenticator), RadiusEncodeError);
  });

  it('refuses hidden values that are not 16–128 octets in 16-octet blocks', () => {
    for (const length of [0, 15, 17, 144]) {
      assert.throws(
        () => unhidePassword(Buffer.alloc(length, 1), key, Buffer.alloc(16)),
        (e: unknown) => e instanceof RadiusDecodeError && e.code === 'radius.bad_password',
      );
    }
  });
});

describe('against packets radclient builds', () => {
  let socket: Socket;
  let port: number;
  const received: Buffer[] = [];
  before(async () => {
    socket = createSocket('udp4');
    socket.on('message', (m) => received.push(m));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    port = socket.address().port;
    // No server answers here: each radclient times out after one second, and we keep what it sent.
    const passwords = [
      'p',
      'sixteen-octets!!',
      'seventeen-octets!',
      'x'.repeat(128),
      'pässwörd-ünïcödé-ëxtra-lóng-phrase',
    ];
    await Promise.all([
      ...passwords.map((password, i) =>
        radclient({
          port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "user${i}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
        }),
      ),
      radclient({
        port,
        secret,
        command: 'acct',
        attributes: ['User-Name = "acct"', 'Acct-Status-Type = Start', 'Acct-Session-Id = "abc"'],
      }),
    ]);
  });
  after(() => socket.close());

  const find = (name: string) => {
    const raw = received.find((m) => getAttribute(decodePacket(m), 'User-Name') === name);
    assert.ok(raw, `radclient sent ${name}`);
    return raw;
  };

  it('unhides passwords radclient hid, single and multi-block, and hides them to the same octets', () => {
    const passwords = [
      'p',
      'sixteen-octets!!',
      'seventeen-octets!',
      'x'.repeat(128),
      'pässwörd-ünïcödé-ëxtra-lóng-phrase',
    ];
    passwords.forEach((password, i) => {
      const packet = decodePacket(find(`user${i}`));
      const hidden = getAttribute(packet, 'User-Password') as Buffer;
      assert.equal(unhidePassword(hidden, key, packet.authenticator).toString('utf8'), password);
      assert.deepEqual(hidePassword(Buffer.from(password), key, packet.authenticator), hidden);
      assert.notEqual(
        unhidePassword(hidden, Buffer.from('another-secret-of-sixteen'), packet.authenticator).toString('utf8'),
        password,
      );
    });
  });

  it("verifies radclient's Message-Authenticator, and our check agrees with a hand-computed HMAC-MD5", () => {
    const raw = find('user0');
    const packet = decodePacket(raw);
    assert.ok(verifyMessageAuthenticator(raw, packet, key));
    assert.ok(!verifyMessageAuthenticator(raw, packet, Buffer.from('another-secret-of-sixteen')));
    // Independent: zero the attribute's value in a copy and HMAC the whole packet.
    const copy = Buffer.from(raw);
    const at = copy.indexOf(Buffer.from([80, 18]), 20);
    const claimed = Buffer.from(copy.subarray(at + 2, at + 18));
    copy.fill(0, at + 2, at + 18);
    assert.deepEqual(createHmac('md5', key).update(copy).digest(), claimed);
    const flipped = Buffer.from(raw);
    flipped[flipped.length - 1] ^= 1;
    assert.ok(!verifyMessageAuthenticator(flipped, decodePacket(flipped), key), 'one changed octet fails');
  });

  it("verifies radclient's Accounting-Request Authenticator (RFC 2866 §3) and rejects a changed one", () => {
    const raw = find('acct');
    assert.ok(verifyAccountingRequest(raw, key));
    assert.ok(!verifyAccountingRequest(raw, Buffer.from('another-secret-of-sixteen')));
    const changed = Buffer.from(raw);
    changed[changed.length - 1] ^= 1;
    assert.ok(!verifyAccountingRequest(changed, key));
  });
});

describe('responses', () => {
  it('puts Message-Authenticator first, before the Response Authenticator covers it (checked by hand)', () => {
    const request = decodePacket(
      encodeRequest(
        { code: 1, identifier: 5, authenticator: Buffer.alloc(16, 7), attributes: [encodeValue('User-Name', 'alice')] },
        key,
        { messageAuthenticator: true },
      ),
    );
    // A caller's own Message-Authenticator is discarded: only encodeResponse places one.
    const reply = encodeResponse(
      2,
      request,
      [encodeValue('Reply-Message', 'hi'), { type: 80, value: Buffer.alloc(16, 1) }],
      key,
    );
    assert.equal(reply[20], 80);
    assert.equal(reply[21], 18);
    assert.deepEqual(
      decodePacket(reply).attributes.map((a) => a.type),
      [80, 18],
    );
    const copy = Buffer.from(reply);
    request.authenticator.copy(copy, 4);
    copy.fill(0, 22, 38);
    assert.deepEqual(createHmac('md5', key).update(copy).digest(), reply.subarray(22, 38));
    const forResponse = Buffer.from(reply);
    request.authenticator.copy(forResponse, 4);
    assert.deepEqual(createHash('md5').update(forResponse).update(key).digest(), reply.subarray(4, 20));
    assert.ok(verifyResponse(reply, request.authenticator, key));
  });
});
