// The vault: the token's seed and details, encrypted with a random data key (AES-256-GCM); the data key wrapped with
// a key derived from the PIN by argon2id, with this device's serial hash as argon2's secret input. Changing the PIN
// re-wraps the data key only; the sealed token stays as it was. A wrong PIN (or another PC: the two look the same,
// on purpose) fails GCM's check and never yields a key. NIST SP 800-63B §3.1.7 (multi-factor OTP authenticators):
// an activation secret of at least 6 digits, consecutive wrong ones limited to 10, then the authenticator disabled:
// here the vault is erased after 10 wrong PINs in a row, with growing delays between them.
import { argon2, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TokenError } from './errors.ts';

export interface KdfParameters {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

/** argon2id at 64 MiB and 2 passes: under a second on an ordinary PC, costly for a guesser with the file. */
export const defaultKdf: KdfParameters = { memoryKiB: 65536, passes: 2, parallelism: 1 };

/** What the vault keeps secret: the token as registered. */
export interface VaultContents {
  /** The token's seed in base32 (the effective secret is derived from it and the serial hash). */
  seed: string;
  /** Tessera's serial number for the token (TOTD…), what the helpdesk knows it by. */
  tokenSerial: string;
  /** The Tessera the token was registered with (its issuer URL). */
  server: string;
  /** The name the person registered under. */
  account: string;
  registeredAt: number;
}

interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

/** The file's shape: nothing in it is the seed, the data key or the PIN. */
export interface VaultFileV1 {
  format: 'tessera-desktop-token-vault';
  version: 1;
  kdf: KdfParameters & { algorithm: 'argon2id'; salt: string };
  /** The salt of the serial hash (random per registration, so hashes cannot be matched across registrations). */
  deviceSalt: string;
  /** How the serial was read at registration (`dmi`, `machine-id`, `bios`, …): it is read the same way after. */
  serialSource: string;
  wrappedKey: Sealed;
  token: Sealed;
  /** Wrong PINs in a row, and when the last one was typed (epoch ms). */
  failures: number;
  lastFailureAt: number;
}

export interface ErasedVault {
  format: 'tessera-desktop-token-vault';
  erased: true;
  erasedAt: number;
}

export const maxWrongPins = 10;

/** Seconds to wait after `failures` wrong PINs in a row: none for the first two, then 2, 4, 8 … up to 60. */
export function delayAfter(failures: number): number {
  return failures < 3 ? 0 : Math.min(2 ** (failures - 2), 60);
}

/** A PIN is 6 to 64 characters (digits or anything else); NFC, so the same PIN typed on another keyboard matches. */
export function checkPin(pin: string): string {
  const normalized = pin.normalize('NFC');
  if ([...normalized].length < 6 || [...normalized].length > 64) throw new TokenError('vault.weak_pin');
  return normalized;
}

const aad = (part: string) => Buffer.from(`tessera-desktop-token-vault/1:${part}`);

function seal(key: Buffer, plain: Buffer, part: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(part));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function unseal(key: Buffer, sealed: Sealed, part: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64')).setAAD(aad(part));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

function pinKey(pin: string, kdf: VaultFileV1['kdf'], serialHash: string): Promise<Buffer> {
  const parameters = {
    message: pin,
    nonce: Buffer.from(kdf.salt, 'base64'),
    // The serial hash is argon2's secret input: the same PIN on another PC derives another key.
    secret: Buffer.from(serialHash, 'utf8'),
    parallelism: kdf.parallelism,
    memory: kdf.memoryKiB,
    passes: kdf.passes,
    tagLength: 32,
  };
  return new Promise((resolve, reject) =>
    argon2('argon2id', parameters, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

async function wrap(dataKey: Buffer, pin: string, serialHash: string, kdf: KdfParameters) {
  const params = { algorithm: 'argon2id' as const, ...kdf, salt: randomBytes(16).toString('base64') };
  return { kdf: params, wrappedKey: seal(await pinKey(checkPin(pin), params, serialHash), dataKey, 'data-key') };
}

export async function createVault(input: {
  contents: VaultContents;
  pin: string;
  deviceSalt: Buffer;
  serialSource: string;
  serialHash: string;
  kdf?: KdfParameters;
}): Promise<VaultFileV1> {
  const dataKey = randomBytes(32);
  const wrapped = await wrap(dataKey, input.pin, input.serialHash, input.kdf ?? defaultKdf);
  return {
    format: 'tessera-desktop-token-vault',
    version: 1,
    ...wrapped,
    deviceSalt: input.deviceSalt.toString('base64'),
    serialSource: input.serialSource,
    token: seal(dataKey, Buffer.from(JSON.stringify(input.contents)), 'token'),
    failures: 0,
    lastFailureAt: 0,
  };
}

/** The data key and contents when the PIN (and the device) are right; undefined otherwise. */
export async function unlock(
  vault: VaultFileV1,
  pin: string,
  serialHash: string,
): Promise<{ dataKey: Buffer; contents: VaultContents } | undefined> {
  const key = await pinKey(pin.normalize('NFC'), vault.kdf, serialHash);
  const dataKey = unseal(key, vault.wrappedKey, 'data-key');
  const plain = dataKey && unseal(dataKey, vault.token, 'token');
  return dataKey && plain ? { dataKey, contents: JSON.parse(plain.toString('utf8')) as VaultContents } : undefined;
}

/** The same vault with the data key wrapped under a new PIN; the sealed token is not touched. */
export async function rewrap(
  vault: VaultFileV1,
  dataKey: Buffer,
  newPin: string,
  serialHash: string,
  kdf: KdfParameters = vault.kdf,
): Promise<VaultFileV1> {
  const { memoryKiB, passes, parallelism } = kdf;
  return { ...vault, ...(await wrap(dataKey, newPin, serialHash, { memoryKiB, passes, parallelism })) };
}

/** The parsed file: a vault, an erased one, or an error for anything else. */
export function parseVault(text: string): VaultFileV1 | ErasedVault {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TokenError('vault.unreadable');
  }
  const v = parsed as Partial<VaultFileV1> & Partial<ErasedVault>;
  if (v?.format !== 'tessera-desktop-token-vault') throw new TokenError('vault.unreadable');
  if (v.erased === true) return v as ErasedVault;
  if (v.version !== 1 || !v.kdf || !v.wrappedKey || !v.token || typeof v.deviceSalt !== 'string')
    throw new TokenError('vault.unreadable');
  return { failures: 0, lastFailureAt: 0, ...v } as VaultFileV1;
}
