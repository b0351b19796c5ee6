// The codes that open the registration's code step: a 6-digit SMS code per flow, or a helpdesk registration code
// per person. Drawn from the CSPRNG, stored only as HMAC-SHA256 under the server's code pepper (a stolen table
// yields no code), compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Random } from '../clock/index.ts';

// Crockford-like: no I, L, O, U, 0, 1, so a code read over the phone cannot be misheard as another.
const helpdeskAlphabet = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const helpdeskLength = 16; // 16 × log2(30) ≈ 78 bits: beyond guessing even without the attempt limits.

export function codeHasher(pepper: Buffer) {
  return (purpose: 'sms' | 'helpdesk', value: string) =>
    createHmac('sha256', pepper).update(`${purpose}:${value}`).digest('hex');
}

export const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/** Six digits, uniformly drawn (V6.5.3: CSPRNG, at least 20 bits). */
export const newSmsCode = (random: Random) => String(random.int(1_000_000)).padStart(6, '0');

/** A helpdesk code as the operator reads it out: four groups of four (`K7QM-3XPA-9RTD-W2HN`). */
export function newHelpdeskCode(random: Random): string {
  const chars = Array.from({ length: helpdeskLength }, () => helpdeskAlphabet[random.int(helpdeskAlphabet.length)]);
  return chars.join('').replace(/(.{4})(?=.)/g, '$1-');
}

/** A typed code without the spaces, dashes and case people add or drop; what the format cannot be is undefined. */
export function readCode(input: unknown): { kind: 'sms' | 'helpdesk'; value: string } | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const value = input.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{6}$/.test(value)) return { kind: 'sms', value };
  if (value.length === helpdeskLength && [...value].every((c) => helpdeskAlphabet.includes(c)))
    return { kind: 'helpdesk', value };
  return undefined;
}
