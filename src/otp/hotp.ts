// HOTP (RFC 4226) and TOTP (RFC 6238) on node:crypto: a few lines, so no dependency; verified against the RFCs'
// test vectors and oathtool in hotp.test.ts.
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface OtpParameters {
  algorithm: OtpAlgorithm;
  digits: 6 | 8;
}

export function hotp(secret: Buffer | KeyObject, counter: number, p: OtpParameters): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(p.algorithm.toLowerCase(), secret).update(message).digest();
  // RFC 4226 §5.3: dynamic truncation.
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** p.digits).padStart(p.digits, '0');
}

/** RFC 6238 §4.2: the time step number T = floor((now - T0) / X), with T0 = 0. */
export function timeStep(atMs: number, periodSeconds: number): number {
  return Math.floor(atMs / 1000 / periodSeconds);
}

export function totp(secret: Buffer | KeyObject, atMs: number, p: OtpParameters & { periodSeconds: number }): string {
  return hotp(secret, timeStep(atMs, p.periodSeconds), p);
}

/** Constant-time comparison of two codes of the same length. */
export function sameCode(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
