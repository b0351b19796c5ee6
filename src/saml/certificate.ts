// A self-signed X.509 certificate for the IdP's signing key, built with node:crypto alone. SAML uses the
// certificate only to carry the public key (SPs pin it from the metadata, no chain is checked), so a small DER
// writer serves, rather than a dependency or the openssl command at run time.
import { createSign, randomBytes, type KeyObject, X509Certificate } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

// X.509 (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050.
function time(at: Date): Buffer {
  const iso = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return at.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const sha256WithRsa = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
const commonName = (cn: string) => sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

/** A PEM certificate for `publicKey`, signed by `privateKey`, valid from `notBefore` for `days`. */
export function selfSignedCertificate(
  privateKey: KeyObject,
  publicKey: KeyObject,
  subject: string,
  notBefore: Date,
  days: number,
): string {
  // A positive serial (RFC 5280 §4.1.2.2) in DER's shortest form: the top bit clear (positive) and the next one
  // set, so the first byte is never a zero that DER would call padding.
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    sha256WithRsa,
    commonName(subject),
    sequence(time(notBefore), time(notAfter)),
    commonName(subject),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = createSign('sha256').update(tbs).sign(privateKey);
  const der = sequence(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
  // Parsed once here, so a certificate that is not well formed never reaches the metadata.
  new X509Certificate(pem);
  return pem;
}

/** The base64 body of a PEM certificate, as <ds:X509Certificate> carries it. */
export const certificateBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
