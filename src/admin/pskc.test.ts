// Reading PSKC files (RFC 6030): the RFC's own examples with the values it publishes, files written by another
// implementation (python-pskc) in every protection Tessera reads, and hostile or broken files, each of which keeps
// the whole file out with a problem that names what is wrong and never a secret.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readPskcFile, pskcNeeds, maxPskcBytes } from './index.ts';
import {
  rfcFigure2,
  rfcFigure3,
  rfcFigure6,
  rfcFigure6Key,
  rfcFigure7,
  vendorPskc,
  type VendorToken,
} from '../../test/support/pskc.ts';

const rfcSecret = Buffer.from('12345678901234567890');

describe('PSKC files (RFC 6030)', () => {
  it("reads the RFC's figures 3, 6 (pre-shared key) and 7 (password) to the secret the RFC gives", () => {
    const expected = { serial: '987654321', secret: rfcSecret, algorithm: 'SHA1', digits: 8, periodSeconds: null };
    const plain = readPskcFile(rfcFigure3, {});
    assert.deepEqual(plain, { tokens: [{ ...expected, counter: 0 }], problems: [] });
    const shared = readPskcFile(rfcFigure6, { key: rfcFigure6Key });
    assert.deepEqual(shared, { tokens: [{ ...expected, counter: 0 }], problems: [] });
    const password = readPskcFile(rfcFigure7, { password: 'qwerty' });
    assert.deepEqual(password, { tokens: [{ ...expected, counter: 0 }], problems: [] });
    assert.deepEqual(
      [rfcFigure3, rfcFigure6, rfcFigure7].map(pskcNeeds),
      ['nothing', 'key', 'password'],
      'what to ask the operator for',
    );
  });

  it("refuses figure 2's four-byte secret (RFC 4226 asks for 128 bits) and names the key by its Id", () => {
    assert.deepEqual(readPskcFile(rfcFigure2, {}), {
      tokens: [],
      problems: [
        'key package 1 (serial 12345678): hardware token: secret of 16–64 bytes, 6 or 8 digits, a 30 or 60 s ' +
          'period or null, SHA1/SHA256/SHA512',
      ],
    });
  });

  it('reads what python-pskc writes: plain, password and pre-shared key, HOTP and TOTP, SHA-1 and SHA-256', () => {
    const tokens: VendorToken[] = [
      { serial: 'VT-0001', secret: randomBytes(20), kind: 'totp' },
      { serial: 'VT-0002', secret: randomBytes(32), kind: 'totp', digits: 8, period: 60, suite: 'HMAC-SHA256' },
      { serial: 'VH-0003', secret: randomBytes(20), kind: 'hotp', counter: 42 },
    ];
    const expected = [
      { serial: 'VT-0001', secret: tokens[0].secret, algorithm: 'SHA1', digits: 6, periodSeconds: 30 },
      { serial: 'VT-0002', secret: tokens[1].secret, algorithm: 'SHA256', digits: 8, periodSeconds: 60 },
      { serial: 'VH-0003', secret: tokens[2].secret, algorithm: 'SHA1', digits: 6, periodSeconds: null, counter: 42 },
    ].map((t) => ({ counter: undefined, ...t }));
    const key = randomBytes(16);
    const files = [
      { file: vendorPskc(tokens), secrets: {} },
      { file: vendorPskc(tokens, { kind: 'password', password: 'Pässwort 1' }), secrets: { password: 'Pässwort 1' } },
      {
        file: vendorPskc(tokens, { kind: 'password', password: 'x', iterations: 5000, mac: 'hmac-sha256' }),
        secrets: { password: 'x' },
      },
      { file: vendorPskc(tokens, { kind: 'key', key }), secrets: { key } },
      {
        file: vendorPskc(tokens, { kind: 'key', key: Buffer.concat([key, key]), algorithm: 'aes256-cbc' }),
        secrets: { key: Buffer.concat([key, key]) },
      },
    ];
    for (const { file, secrets } of files) {
      assert.deepEqual(readPskcFile(file, secrets), { tokens: expected, problems: [] });
    }
  });

  it('keeps a file out whole when its password or key is wrong or missing, never naming a secret', () => {
    const secret = randomBytes(20);
    const file = vendorPskc([{ serial: 'W1', secret, kind: 'totp' }], { kind: 'password', password: 'right' });
    const wrongKey =
      /^(cannot decrypt it|its MAC does not match): the password or key is wrong, or the file was altered$/;
    // A wrong key mostly fails on the padding of the MAC key; when the padding happens to look right, on the MAC.
    for (let i = 0; i < 20; i++) {
      const { tokens, problems } = readPskcFile(file, { password: `wrong ${i}` });
      assert.equal(tokens.length, 0);
      assert.equal(problems.length, 1);
      assert.match(problems[0].replace(/^key package 1 \(serial W1\): /, ''), wrongKey);
    }
    assert.deepEqual(readPskcFile(file, {}).problems, ['the file is protected with a password: give it']);
    assert.deepEqual(readPskcFile(rfcFigure6, {}).problems, ['the file is protected with a pre-shared key: give it']);
    assert.deepEqual(readPskcFile(rfcFigure6, { key: randomBytes(32) }).problems, [
      'the key must be 16 bytes for aes-128-cbc',
    ]);
    const all = JSON.stringify(readPskcFile(file, { password: 'wrong' }));
    assert.ok(!all.includes(secret.toString('base64')) && !all.includes('right'));
  });

  it('refuses a file whose MAC, ciphertext or MAC key was altered, or whose MAC or encryption was taken away', () => {
    const base = vendorPskc([{ serial: 'M1', secret: randomBytes(20), kind: 'totp' }], {
      kind: 'password',
      password: 'p',
    });
    const cipherValues = [...base.matchAll(/<xenc:CipherValue>([^<]+)</g)].map((m) => m[1]);
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[bytes.length - 1] ^= 1;
      return bytes.toString('base64');
    };
    const mac = /<pskc:ValueMAC>([^<]+)</.exec(base)![1];
    const altered = {
      'value MAC': base.replace(mac, flip(mac)),
      ciphertext: base.replace(cipherValues[1], flip(cipherValues[1])),
      'first block (IV)': base.replace(cipherValues[1], `A${cipherValues[1].slice(1)}`),
      'MAC taken away': base.replace(/<pskc:ValueMAC>[^<]+<\/pskc:ValueMAC>/, ''),
      'MAC method taken away': base.replace(/<pskc:MACMethod[\s\S]*<\/pskc:MACMethod>/, ''),
      // A known secret put in plain where the vendor encrypted one: the MAC protects only encrypted values.
      'plain secret in an encrypted file': base.replace(
        /<pskc:EncryptedValue>[\s\S]*<\/pskc:EncryptedValue>/,
        `<pskc:PlainValue>${randomBytes(20).toString('base64')}</pskc:PlainValue>`,
      ),
    };
    for (const [what, file] of Object.entries(altered)) {
      const { tokens, problems } = readPskcFile(file, { password: 'p' });
      assert.deepEqual([tokens.length, problems.length], [0, 1], `${what}: ${problems}`);
    }
    assert.match(readPskcFile(altered['value MAC'], { password: 'p' }).problems[0], /its MAC does not match/);
    assert.match(readPskcFile(altered['MAC method taken away'], { password: 'p' }).problems[0], /without a MAC/);
  });

  it('refuses DOCTYPE and entities before parsing (XXE, billion laughs), and oversized or broken files', () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE KeyContainer [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${rfcFigure3
      .replace(/^<\?xml[^>]*>\n/, '')
      .replace('<Issuer>Issuer</Issuer>', '<Issuer>&xxe;</Issuer>')}`;
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
      <KeyContainer ${'xmlns="urn:ietf:params:xml:ns:keyprov:pskc"'}>&lol2;</KeyContainer>`;
    const lowercase = rfcFigure3.replace('<KeyContainer', '<!doctype x>\n<KeyContainer');
    for (const file of [xxe, laughs, lowercase]) {
      assert.deepEqual(readPskcFile(file, {}).problems, ['the file declares a DOCTYPE or ENTITY: refused']);
      assert.equal(pskcNeeds(file), 'unreadable');
    }
    const huge = rfcFigure3.replace('<Issuer>Issuer</Issuer>', `<Issuer>${'x'.repeat(maxPskcBytes)}</Issuer>`);
    assert.deepEqual(readPskcFile(huge, {}).problems, [`the file is over ${maxPskcBytes} bytes`]);
    const cases: Array<[string, string]> = [
      [rfcFigure3.replace('</KeyPackage>', ''), 'the file is not well-formed XML'],
      ['serial,secret\nHW1,00112233445566778899aabbccddeeff', 'the file is not'],
      ['<KeyContainer xmlns="urn:example:other"/>', 'the file is not a PSKC KeyContainer (RFC 6030)'],
      [rfcFigure3.replace('Version="1.0"', 'Version="2.0"'), 'only PSKC version 1.0 is read'],
      ['<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc"/>', 'the file holds no KeyPackage'],
    ];
    for (const [file, problem] of cases) {
      const read = readPskcFile(file, {});
      assert.equal(read.tokens.length, 0, problem);
      assert.ok(read.problems[0]?.startsWith(problem), `${problem}: ${read.problems}`);
    }
  });

  it('names every bad key package: twice the same serial, OCRA, letters, T0, bad serial', () => {
    const secret = () => randomBytes(20);
    const file = vendorPskc([
      { serial: 'D1', secret: secret(), kind: 'totp' },
      { serial: 'D2', secret: secret(), kind: 'totp' },
      { serial: 'D1', secret: secret(), kind: 'hotp' },
      { serial: 'two words', secret: secret(), kind: 'totp' },
      { serial: 'D5', secret: secret(), kind: 'totp', period: 45 },
    ]).replace(
      /(<pskc:SerialNo>D2<[\s\S]*?)<pskc:ResponseFormat Length="6"\/>/,
      '$1<pskc:ResponseFormat Length="6" Encoding="ALPHANUMERIC"/>',
    );
    const ocra = rfcFigure3.replace('pskc:hotp', 'pskc#OCRA-1:HOTP-SHA512-8:C-QN08');
    const t0 = rfcFigure3
      .replace('pskc:hotp', 'pskc:totp')
      .replace('<Counter><PlainValue>0</PlainValue></Counter>', '<Time><PlainValue>1000</PlainValue></Time>');
    assert.deepEqual(readPskcFile(file, {}).problems, [
      'key package 2 (serial D2): its codes are not digits',
      'key package 3 (serial D1): serial D1 appears twice in the file',
      'key package 4 (serial two words): the serial must be 1–64 letters, digits or . _ : -',
      'key package 5 (serial D5): hardware token: secret of 16–64 bytes, 6 or 8 digits, a 30 or 60 s period or ' +
        'null, SHA1/SHA256/SHA512',
    ]);
    assert.match(
      readPskcFile(ocra, {}).problems[0],
      /^key package 1 \(serial 987654321\): .*OCRA.* is neither HOTP nor TOTP$/,
    );
    assert.deepEqual(readPskcFile(t0, {}).problems, ['key package 1 (serial 987654321): its T0 is not 0']);
  });
});
