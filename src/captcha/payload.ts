// What the browser sends back: base64 of JSON { algorithm, challenge, number, salt, signature } (the ALTCHA v1
// payload). Its shape is checked before any hashing, so garbage costs nothing and nothing odd reaches the database.
import { CaptchaError } from './errors.ts';

export interface Solution {
  algorithm: 'SHA-256';
  challenge: string;
  number: number;
  salt: string;
  signature: string;
}

// A real payload is about 350 characters; anything much larger is not one of ours.
export const maxPayloadLength = 1024;
const hex64 = /^[0-9a-f]{64}$/;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parsePayload(payload: unknown): Solution {
  if (payload === undefined || payload === null || (typeof payload === 'string' && payload.trim() === ''))
    throw new CaptchaError('captcha.missing');
  if (typeof payload !== 'string' || payload.length > maxPayloadLength || !base64.test(payload.trim()))
    throw new CaptchaError('captcha.invalid');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.trim(), 'base64').toString('utf8'));
  } catch {
    throw new CaptchaError('captcha.invalid');
  }
  const v = value as Partial<Record<keyof Solution, unknown>> | null;
  // Only SHA-256: the solver we serve uses it, and accepting others would only widen what an attacker may try.
  const ok =
    typeof v === 'object' &&
    v !== null &&
    v.algorithm === 'SHA-256' &&
    typeof v.challenge === 'string' &&
    hex64.test(v.challenge) &&
    typeof v.signature === 'string' &&
    hex64.test(v.signature) &&
    typeof v.salt === 'string' &&
    v.salt.length > 0 &&
    v.salt.length <= 200 &&
    typeof v.number === 'number' &&
    Number.isSafeInteger(v.number) &&
    v.number >= 0;
  if (!ok) throw new CaptchaError('captcha.invalid');
  return {
    algorithm: 'SHA-256',
    challenge: v.challenge as string,
    number: v.number as number,
    salt: v.salt as string,
    signature: v.signature as string,
  };
}

/** The expiry the server wrote into the salt (`…?expires=<unix seconds>&`), in ms; covered by the signature. */
export function expiresAtMs(salt: string): number | undefined {
  const query = salt.split('?')[1];
  const seconds = query === undefined ? undefined : new URLSearchParams(query).get('expires');
  return seconds !== null && seconds !== undefined && /^\d{1,12}$/.test(seconds) ? Number(seconds) * 1000 : undefined;
}
