import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodePacket,
  encodePacket,
  getAttribute,
  getAttributes,
  encodeValue,
  encodeVendorSpecific,
  decodeVendorSpecific,
  unhidePassword,
  verifyResponse,
  RadiusDecodeError,
  RadiusEncodeError,
  attributeByName,
  type RadiusPacket,
} from './index.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const secret = Buffer.from('xyzzy5461');

// RFC 2865 §7.1: user "nemo" Telnets to a specified host.
const example71Request =
  hex(`01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03`);
const example71Accept =
  hex(`02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);
// RFC 2865 §7.2: user "flopsy" authenticates with CHAP for framed PPP.
const example72Request =
  hex(`01 01 00 47 2a ee 86 f0 8d 0d 55 96 9c a5 97 8e 0d 33 67 a2 01 08 66 6c 6f 70 73 79 03 13 16 e9
  75 57 c3 16 18 58 95 f2 93 ff 63 44 07 72 75 04 06 c0 a8 01 10 05 06 00 00 00 14 06 06 00 00 00 02 07 06 00 00 00 01`);
const example72Accept =
  hex(`02 01 00 38 15 ef bc 7d ab 26 cf a3 dc 34 d9 c0 3c 86 01 a4 06 06 00 00 00 02 07 06 00 00 00 01
  08 06 ff ff ff fe 0a 06 00 00 00 02 0d 06 00 00 00 01 0c 06 00 00 05 dc`);

describe('RFC 2865 §7 example packets', () => {
  it('§7.1: decodes the Access-Request, recovers "arctangent" and verifies the Accept', () => {
    const request = decodePacket(example71Request);
    assert.equal(request.code, 1);
    assert.equal(getAttribute(request, 'User-Name'), 'nemo');
    assert.equal(getAttribute(request, 'NAS-IP-Address'), '192.168.1.16');
    assert.equal(getAttribute(request, 'NAS-Port'), 3);
    const hidden = getAttribute(request, 'User-Password') as Buffer;
    assert.equal(unhidePassword(hidden, secret, request.authenticator).toString(), 'arctangent');
    const accept = decodePacket(example71Accept);
    assert.equal(getAttribute(accept, 'Service-Type'), 1);
    assert.equal(getAttribute(accept, 'Login-IP-Host'), '192.168.1.3');
    assert.ok(verifyResponse(example71Accept, request.authenticator, secret));
    assert.ok(
      !verifyResponse(example71Accept, request.authenticator, Buffer.from('xyzzy5462')),
      'another secret fails',
    );
  });

  it('§7.2: decodes the CHAP request and verifies the framed Accept; both re-encode byte for byte', () => {
    const request = decodePacket(example72Request);
    assert.equal(getAttribute(request, 'User-Name'), 'flopsy');
    assert.equal((getAttribute(request, 'CHAP-Password') as Buffer).length, 17);
    assert.equal(getAttribute(request, 'Framed-Protocol'), 1);
    const accept = decodePacket(example72Accept);
    assert.equal(getAttribute(accept, 'Framed-IP-Address'), '255.255.255.254');
    assert.equal(getAttribute(accept, 'Framed-MTU'), 1500);
    assert.ok(verifyResponse(example72Accept, request.authenticator, secret));
    assert.deepEqual(encodePacket(request), example72Request);
    assert.deepEqual(encodePacket(accept), example72Accept);
  });
});

describe('strict decoding', () => {
  const base = decodePacket(example71Request);
  const cases: Array<[string, Buffer, string]> = [
    ['shorter than the header', example71Request.subarray(0, 19), 'radius.truncated'],
    ['length field says more than received', example71Request.subarray(0, 40), 'radius.truncated'],
    [
      'length field below 20',
      (() => {
        const b = Buffer.from(example71Request);
        b.writeUInt16BE(19, 2);
        return b;
      })(),
      'radius.bad_length',
    ],
    [
      'length field above 4096',
      (() => {
        const b = Buffer.alloc(4200);
        b[0] = 1;
        b.writeUInt16BE(4097, 2);
        return b.subarray(0, 4096);
      })(),
      'radius.bad_length',
    ],
    ['datagram over 4096 octets', Buffer.alloc(4097, 1), 'radius.too_long'],
    ['attribute length 0', Buffer.concat([hex('01 00 00 16'), Buffer.alloc(16), hex('01 00')]), 'radius.bad_attribute'],
    ['attribute length 1', Buffer.concat([hex('01 00 00 16'), Buffer.alloc(16), hex('01 01')]), 'radius.bad_attribute'],
    [
      'attribute running past the packet',
      Buffer.concat([hex('01 00 00 17'), Buffer.alloc(16), hex('01 05 41')]),
      'radius.bad_attribute',
    ],
    [
      'lone attribute type octet',
      Buffer.concat([hex('01 00 00 15'), Buffer.alloc(16), hex('01')]),
      'radius.bad_attribute',
    ],
    [
      '3-octet integer',
      Buffer.concat([hex('01 00 00 19'), Buffer.alloc(16), hex('05 05 00 00 01')]),
      'radius.bad_value',
    ],
    [
      '5-octet address',
      Buffer.concat([hex('01 00 00 1b'), Buffer.alloc(16), hex('04 07 01 02 03 04 05')]),
      'radius.bad_value',
    ],
    [
      'User-Name not UTF-8',
      Buffer.concat([hex('01 00 00 18'), Buffer.alloc(16), hex('01 04 c3 28')]),
      'radius.bad_value',
    ],
    [
      'short Message-Authenticator',
      Buffer.concat([hex('01 00 00 18'), Buffer.alloc(16), hex('50 04 00 00')]),
      'radius.bad_value',
    ],
    [
      'Vendor-Specific too short',
      Buffer.concat([hex('01 00 00 1a'), Buffer.alloc(16), hex('1a 06 00 00 00 09')]),
      'radius.bad_value',
    ],
  ];
  for (const [name, datagram, code] of cases) {
    it(`refuses a packet with ${name} (${code})`, () => {
      assert.throws(
        () => decodePacket(datagram),
        (e: unknown) => e instanceof RadiusDecodeError && e.code === code,
      );
    });
  }

  it('ignores padding beyond the Length field (RFC 2865 §3)', () => {
    const padded = Buffer.concat([example71Request, Buffer.from('garbage')]);
    assert.deepEqual(decodePacket(padded), base);
  });

  it('never throws anything but a typed decode error on arbitrary or mutated input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(example71Request.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = Buffer.from(example71Request);
            b[i] = v;
            return new Uint8Array(b);
          }),
        ),
        (bytes) => {
          try {
            decodePacket(Buffer.from(bytes));
          } catch (e) {
            assert.ok(e instanceof RadiusDecodeError, String(e));
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('encoding', () => {
  it('round-trips typed attributes and keeps their order', () => {
    const packet: RadiusPacket = {
      code: 2,
      identifier: 77,
      authenticator: Buffer.alloc(16, 9),
      attributes: [
        encodeValue('Reply-Message', 'Grüß dich'),
        encodeValue('Session-Timeout', 3600),
        encodeValue('Framed-IP-Address', '10.1.2.3'),
        encodeValue('Class', Buffer.from([0, 1, 2])),
        encodeValue('Reply-Message', 'second'),
      ],
    };
    const decoded = decodePacket(encodePacket(packet));
    assert.deepEqual(decoded, packet);
    assert.deepEqual(getAttributes(decoded, 'reply-message'), ['Grüß dich', 'second']);
    assert.equal(getAttribute(decoded, 'Session-Timeout'), 3600);
    assert.equal(getAttribute(decoded, 'Framed-IP-Address'), '10.1.2.3');
  });

  it('round-trips any well-formed packet (property)', () => {
    const attribute = fc
      .record({
        type: fc.constantFrom(18, 24, 25, 33, 79, 200, 241),
        value: fc.uint8Array({ minLength: 1, maxLength: 253 }),
      })
      .map(({ type, value }) => ({
        type,
        value: type === 18 ? Buffer.from(Buffer.from(value).toString('hex').slice(0, 253)) : Buffer.from(value),
      }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.array(attribute, { maxLength: 12 }),
        (identifier, auth, attributes) => {
          const packet = { code: 1, identifier, authenticator: Buffer.from(auth), attributes };
          assert.deepEqual(decodePacket(encodePacket(packet)), packet);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses values it cannot send: over 253 octets, empty, wrong type, unknown name, over 4096 in total', () => {
    const refused = (f: () => unknown, code: string) =>
      assert.throws(f, (e: unknown) => e instanceof RadiusEncodeError && e.code === code);
    refused(() => encodeValue('Reply-Message', 'x'.repeat(254)), 'radius.too_long');
    refused(() => encodeValue('Reply-Message', ''), 'radius.bad_value');
    refused(() => encodeValue('Session-Timeout', -1), 'radius.bad_value');
    refused(() => encodeValue('Session-Timeout', '10'), 'radius.bad_value');
    refused(() => encodeValue('Framed-IP-Address', '10.0.0.256'), 'radius.bad_value');
    refused(() => encodeValue('No-Such-Attribute', 'x'), 'radius.unknown_attribute');
    const big = Array.from({ length: 17 }, () => ({ type: 25, value: Buffer.alloc(253) }));
    refused(
      () => encodePacket({ code: 2, identifier: 1, authenticator: Buffer.alloc(16), attributes: big }),
      'radius.too_long',
    );
    refused(
      () =>
        encodePacket({
          code: 2,
          identifier: 1,
          authenticator: Buffer.alloc(16),
          attributes: [{ type: 25, value: Buffer.alloc(254) }],
        }),
      'radius.too_long',
    );
  });

  it('builds and splits Vendor-Specific attributes (RFC 2865 §5.26)', () => {
    const vsa = encodeVendorSpecific(311, [
      { type: 7, value: Buffer.from('abc') },
      { type: 8, value: Buffer.from([1]) },
    ]);
    const decoded = decodePacket(
      encodePacket({ code: 2, identifier: 1, authenticator: Buffer.alloc(16), attributes: [vsa] }),
    );
    assert.deepEqual(decodeVendorSpecific(decoded.attributes[0]), [
      { vendorId: 311, type: 7, value: Buffer.from('abc') },
      { vendorId: 311, type: 8, value: Buffer.from([1]) },
    ]);
    assert.throws(
      () => decodeVendorSpecific({ type: 26, value: hex('00 00 01 37 07 09 41') }),
      (e: unknown) => e instanceof RadiusDecodeError && e.code === 'radius.bad_attribute',
    );
  });

  it('knows the standard dictionary with types', () => {
    assert.deepEqual(attributeByName('Message-Authenticator'), {
      code: 80,
      name: 'Message-Authenticator',
      type: 'octets',
      fixedLength: 16,
    });
    assert.equal(attributeByName('Acct-Session-Id')?.type, 'text');
    assert.equal(attributeByName('NAS-IP-Address')?.type, 'address');
    assert.equal(attributeByName('EAP-Message')?.code, 79);
    assert.equal(attributeByName('Acct-Interim-Interval')?.type, 'integer');
  });
});
