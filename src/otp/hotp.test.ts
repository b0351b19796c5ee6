import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hotp, totp, type OtpAlgorithm } from './hotp.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { otpauthUri } from './otpauth.ts';

const rfc4226Secret = Buffer.from('12345678901234567890');
const rfc6238Secrets: Record<OtpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

describe('HOTP and TOTP', () => {
  it('matches every RFC 4226 Appendix D value', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    for (const [counter, code] of expected.entries()) {
      assert.equal(hotp(rfc4226Secret, counter, { algorithm: 'SHA1', digits: 6 }), code);
    }
  });

  it('matches every RFC 6238 Appendix B value (8 digits, SHA-1/256/512)', () => {
    const table: Array<[number, string, string, string]> = [
      [59, '94287082', '46119246', '90693936'],
      [1111111109, '07081804', '68084774', '25091201'],
      [1111111111, '14050471', '67062674', '99943326'],
      [1234567890, '89005924', '91819424', '93441116'],
      [2000000000, '69279037', '90698825', '38618901'],
      [20000000000, '65353130', '77737706', '47863826'],
    ];
    for (const [seconds, sha1, sha256, sha512] of table) {
      const at = seconds * 1000;
      assert.equal(totp(rfc6238Secrets.SHA1, at, { algorithm: 'SHA1', digits: 8, periodSeconds: 30 }), sha1);
      assert.equal(totp(rfc6238Secrets.SHA256, at, { algorithm: 'SHA256', digits: 8, periodSeconds: 30 }), sha256);
      assert.equal(totp(rfc6238Secrets.SHA512, at, { algorithm: 'SHA512', digits: 8, periodSeconds: 30 }), sha512);
    }
  });

  it('agrees with oathtool for random secrets, every algorithm, 6 and 8 digits, 30 and 60 second steps', () => {
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      for (const digits of [6, 8] as const) {
        const secret = randomBytes(20);
        const hex = secret.toString('hex');
        // oathtool's --hotp is SHA-1 only; RFC 6238 §4 defines TOTP as HOTP(K, T), so with a 1 s step and
        // "now" = counter seconds, oathtool's --totp=ALG computes HOTP with that algorithm at that counter.
        const counter = Math.floor(Math.random() * 1e6);
        const viaTotp = execFileSync(
          'oathtool',
          [`--totp=${algorithm}`, `--digits=${digits}`, '--time-step-size=1s', `--now=@${counter}`, hex],
          { encoding: 'utf8' },
        ).trim();
        assert.equal(hotp(secret, counter, { algorithm, digits }), viaTotp, `HOTP ${algorithm} ${digits}`);
        if (algorithm === 'SHA1') {
          const viaHotp = execFileSync('oathtool', ['--hotp', `--digits=${digits}`, `--counter=${counter}`, hex], {
            encoding: 'utf8',
          }).trim();
          assert.equal(hotp(secret, counter, { algorithm, digits }), viaHotp);
        }
        for (const period of [30, 60]) {
          const seconds = 1_700_000_000 + Math.floor(Math.random() * 1e8);
          const out = execFileSync(
            'oathtool',
            [
              `--totp=${algorithm.toLowerCase()}`,
              `--digits=${digits}`,
              `--time-step-size=${period}s`,
              `--now=@${seconds}`,
              hex,
            ],
            { encoding: 'utf8' },
          ).trim();
          assert.equal(
            totp(secret, seconds * 1000, { algorithm, digits, periodSeconds: period }),
            out,
            `${algorithm} ${digits} ${period}`,
          );
        }
      }
    }
  });

  it('encodes base32 as RFC 4648 and oathtool read it', () => {
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    assert.deepEqual(base32Decode('mzxw 6ytb-oi=='), Buffer.from('foobar'));
    assert.throws(() => base32Decode('not base32!'), RangeError);
    for (const bad of ['MZXW1', 'MZXW8', 'M\u0130', 'ÄÖ']) assert.throws(() => base32Decode(bad), RangeError, bad);
    for (let length = 0; length <= 40; length++) {
      const bytes = randomBytes(length);
      assert.deepEqual(base32Decode(base32Encode(bytes)), bytes, `round trip of ${length} bytes`);
    }
    const secret = randomBytes(20);
    const out = execFileSync('oathtool', ['--totp', '-b', '--now=@1700000000', base32Encode(secret)], {
      encoding: 'utf8',
    }).trim();
    assert.equal(totp(secret, 1_700_000_000_000, { algorithm: 'SHA1', digits: 6, periodSeconds: 30 }), out);
  });

  it('builds otpauth URIs with an escaped label, issuer, algorithm, digits and period', () => {
    const uri = otpauthUri({
      issuer: 'ACME Corp',
      accountName: 'jsmith@corp.example',
      secret: Buffer.from('foobar'),
      algorithm: 'SHA1',
      digits: 6,
      periodSeconds: 30,
    });
    assert.equal(
      uri,
      'otpauth://totp/ACME%20Corp:jsmith%40corp.example?secret=MZXW6YTBOI&issuer=ACME%20Corp&algorithm=SHA1&digits=6&period=30',
    );
    const hotpUri = otpauthUri({
      issuer: 'X',
      accountName: 'a:b/c?',
      secret: Buffer.from('foobar'),
      algorithm: 'SHA256',
      digits: 8,
      counter: 5,
    });
    assert.match(hotpUri, /^otpauth:\/\/hotp\/X:a%3Ab%2Fc%3F\?/);
    assert.match(hotpUri, /counter=5/);
    assert.match(hotpUri, /algorithm=SHA256&digits=8/);
    const sixty = new URL(
      otpauthUri({
        issuer: 'Ünïcode & Co',
        accountName: 'é#x',
        secret: Buffer.from('foobar'),
        algorithm: 'SHA512',
        digits: 8,
        periodSeconds: 60,
      }),
    );
    assert.equal(
      decodeURIComponent(sixty.pathname),
      '/Ünïcode & Co:é#x',
      'the label survives a standard URL parser intact',
    );
    assert.deepEqual(Object.fromEntries(sixty.searchParams), {
      secret: 'MZXW6YTBOI',
      issuer: 'Ünïcode & Co',
      algorithm: 'SHA512',
      digits: '8',
      period: '60',
    });
  });
});
