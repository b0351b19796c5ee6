// The cryptography of a protected PSKC file (RFC 6030 §6): a key from a password (PBKDF2, §6.2) or one shared with
// the vendor (§6.1), AES-CBC with the IV in front of the ciphertext (XML Encryption), and a MAC over each encrypted
// value with a MAC key the file carries encrypted (§6.1.1). Every failure is a PskcProblem that names what to check,
// never a secret.
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

export class PskcProblem extends Error {}

const xmlenc = 'http://www.w3.org/2001/04/xmlenc#';
const ciphers: Record<string, { name: string; keyBytes: number }> = {
  [`${xmlenc}aes128-cbc`]: { name: 'aes-128-cbc', keyBytes: 16 },
  [`${xmlenc}aes192-cbc`]: { name: 'aes-192-cbc', keyBytes: 24 },
  [`${xmlenc}aes256-cbc`]: { name: 'aes-256-cbc', keyBytes: 32 },
};
const macs: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha224': 'sha224',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512': 'sha512',
};
// RFC 8018 §A.2: the PRF of PBKDF2, HMAC-SHA1 when the file names none.
const prfs: Record<string, string> = {
  '': 'sha1',
  'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#hmac-sha1': 'sha1',
  ...macs,
};
/** Far above what vendors use (1,000–100,000), low enough that a hostile file cannot keep the server busy. */
const maxIterations = 10_000_000;

const wrongKey = 'the password or key is wrong, or the file was altered';

export function derivePasswordKey(
  password: string,
  params: { salt: Buffer; iterations: number; keyBytes: number; prf: string },
): Buffer {
  const digest = prfs[params.prf];
  if (digest === undefined) throw new PskcProblem(`PBKDF2 with ${params.prf} is not supported`);
  if (!Number.isInteger(params.iterations) || params.iterations < 1 || params.iterations > maxIterations) {
    throw new PskcProblem(`PBKDF2 iteration count must be 1 to ${maxIterations}`);
  }
  if (![16, 24, 32].includes(params.keyBytes)) throw new PskcProblem('PBKDF2 key length must be 16, 24 or 32');
  return pbkdf2Sync(password.normalize('NFC'), params.salt, params.iterations, params.keyBytes, digest);
}

export function macDigest(algorithm: string): string {
  const digest = macs[algorithm];
  if (digest === undefined) throw new PskcProblem(`MAC algorithm ${algorithm || '(none)'} is not supported`);
  return digest;
}

/** AES-CBC as XML Encryption writes it: 16 bytes of IV, then the ciphertext; the last byte says the padding. */
export function decrypt(algorithm: string, key: Buffer, ivAndCiphertext: Buffer): Buffer {
  const cipher = ciphers[algorithm];
  if (cipher === undefined) throw new PskcProblem(`encryption ${algorithm || '(none)'} is not supported`);
  if (key.length !== cipher.keyBytes) {
    throw new PskcProblem(`the key must be ${cipher.keyBytes} bytes for ${cipher.name}`);
  }
  const body = ivAndCiphertext.subarray(16);
  if (ivAndCiphertext.length < 32 || body.length % 16 !== 0) throw new PskcProblem('an encrypted value is malformed');
  const decipher = createDecipheriv(cipher.name, key, ivAndCiphertext.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  // XML Encryption §5.2: the padding bytes are arbitrary, only the last one counts them (PKCS #7 is one case).
  const padding = plain[plain.length - 1];
  if (padding < 1 || padding > 16) throw new PskcProblem(`cannot decrypt it: ${wrongKey}`);
  return plain.subarray(0, plain.length - padding);
}

/** RFC 6030 §6.1.1: the MAC is over the encrypted value, IV included, with the file's MAC key. */
export function checkMac(digest: string, macKey: Buffer, ivAndCiphertext: Buffer, mac: Buffer): void {
  const expected = createHmac(digest, macKey).update(ivAndCiphertext).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    throw new PskcProblem(`its MAC does not match: ${wrongKey}`);
  }
}
