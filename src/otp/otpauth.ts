// The otpauth:// URI authenticator apps scan (Key Uri Format, as Google Authenticator and FreeOTP read it).
import { base32Encode } from './base32.ts';
import type { OtpAlgorithm } from './hotp.ts';

export interface OtpauthInput {
  issuer: string;
  accountName: string;
  secret: Buffer;
  algorithm: OtpAlgorithm;
  digits: 6 | 8;
  periodSeconds?: number;
  counter?: number;
}

export function otpauthUri(i: OtpauthInput): string {
  const type = i.counter === undefined ? 'totp' : 'hotp';
  // The label is `issuer:account`, each part percent-encoded; the colon between them stays literal.
  const label = `${encodeURIComponent(i.issuer)}:${encodeURIComponent(i.accountName)}`;
  const params = new URLSearchParams({
    secret: base32Encode(i.secret),
    issuer: i.issuer,
    algorithm: i.algorithm,
    digits: String(i.digits),
  });
  if (type === 'totp') params.set('period', String(i.periodSeconds ?? 30));
  else params.set('counter', String(i.counter));
  return `otpauth://${type}/${label}?${params.toString().replace(/\+/g, '%20')}`;
}
