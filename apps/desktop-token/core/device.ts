// Device binding. The app never sends the serial number: it sends a salted hash of it (the salt is random per
// registration and kept in the vault), and the codes come from the token's seed bound to that hash with Tessera's
// own `bindToDevice`, the same function the server uses to store the effective secret. A vault copied to another PC
// therefore yields other codes, and the hash tells Tessera nothing it could match across registrations.
import { createHmac } from 'node:crypto';
import { bindToDevice, totp, timeStep } from '../../../src/otp/index.ts';

/** The token's parameters: those every authenticator app reads, as Tessera enrols them. */
export const tokenParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 } as const;

/** Serial numbers compare as the person would read them: case and surrounding spaces aside. */
export function normalizeSerial(serial: string): string {
  return serial.trim().toUpperCase();
}

/** HMAC-SHA256(salt, serial) in hex: 64 printable characters, what Tessera's desktop token type accepts. */
export function serialHash(salt: Buffer, serial: string): string {
  return createHmac('sha256', salt)
    .update(`tessera-desktop-serial/1:${normalizeSerial(serial)}`)
    .digest('hex');
}

/** The secret the codes come from: the seed bound to this device's serial hash. */
export function effectiveSecret(seed: Buffer, hash: string): Buffer {
  return bindToDevice(seed, hash);
}

export interface CurrentCode {
  code: string;
  /** Seconds until the code changes. */
  secondsLeft: number;
  /** The next code, for a person who sees only a second or two left. */
  next: string;
}

export function codeAt(secret: Buffer, atMs: number): CurrentCode {
  const { periodSeconds } = tokenParameters;
  const step = timeStep(atMs, periodSeconds);
  const secondsLeft = Math.max(1, Math.ceil(((step + 1) * periodSeconds * 1000 - atMs) / 1000));
  return {
    code: totp(secret, atMs, tokenParameters),
    secondsLeft,
    next: totp(secret, (step + 1) * periodSeconds * 1000, tokenParameters),
  };
}
