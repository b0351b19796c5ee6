import argon2 from 'argon2';
import { IdentityError } from './errors.ts';
import type { IdentityStore } from './store.ts';
import type { ReportEvent } from '../audit/index.ts';

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
export const argon2Options = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordPolicy {
  /** NIST SP 800-63B rev 4 §3.1.1.2: at least 15 characters where the password is the only factor. */
  minLength: number;
  /** …and at least 8 where it is used with a second factor (an active OTP token). */
  minLengthWithSecondFactor: number;
  maxLength: number;
  /** True when the password is on the breached or common list. */
  isBreached(password: string): boolean;
}

/**
 * NIST SP 800-63B §3.1.1.2: a password is Unicode-normalised (NFC) before it is hashed and before it is checked, so
 * "é" typed as one code point (most keyboards) or as "e" and a combining accent (macOS, some phones) is one password.
 */
export const normalizePassword = (password: string): string => password.normalize('NFC');

/** The shortest password this policy accepts for an account with or without a second factor. */
export const minPasswordLength = (policy: PasswordPolicy, withSecondFactor: boolean): number =>
  withSecondFactor ? policy.minLengthWithSecondFactor : policy.minLength;

/**
 * The password to keep, in NFC, or a typed error. ASVS V6.2.5: no composition rules; length counts Unicode code
 * points after normalisation, as a person counts characters.
 */
export function checkPassword(
  policy: PasswordPolicy,
  password: unknown,
  o: { email?: string; secondFactor?: boolean } = {},
): string {
  const min = minPasswordLength(policy, o.secondFactor ?? false);
  if (typeof password !== 'string') throw new IdentityError('identity.password_too_short', 'password', { min });
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < min) throw new IdentityError('identity.password_too_short', 'password', { min });
  if (length > policy.maxLength)
    throw new IdentityError('identity.password_too_long', 'password', { max: policy.maxLength });
  if (o.email && normalized.toLowerCase() === o.email)
    throw new IdentityError('identity.password_equals_email', 'password');
  if (policy.isBreached(normalized)) throw new IdentityError('identity.password_breached', 'password');
  return normalized;
}

/** `stale_form`: the hash was made from another Unicode form of the password (before Tessera normalised): rehash it. */
export type PasswordMatch = 'match' | 'stale_form' | false;

export interface PasswordHasher {
  /** Hashes the NFC form. */
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<PasswordMatch>;
  /** Spends the same work as a real verification, so an unknown account answers in the same time as a wrong password. */
  verifyDummy(password: string): Promise<false>;
}

/**
 * The one other form worth a second argon2 run, or undefined: hashes stored before Tessera normalised were made
 * from the password as typed then — most often decomposed (NFD, as macOS keyboards send it). So: the typed form
 * when it is not NFC, else the NFD form when it differs (stored decomposed, typed composed today).
 */
function otherForm(typed: string, nfc: string): string | undefined {
  if (typed !== nfc) return typed;
  const nfd = nfc.normalize('NFD');
  return nfd !== nfc ? nfd : undefined;
}

export async function createPasswordHasher(): Promise<PasswordHasher> {
  const dummy = await argon2.hash('tessera-dummy-password', argon2Options);
  const matches = async (hash: string, password: string) => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  };
  return {
    hash: (password) => argon2.hash(normalizePassword(password), argon2Options),
    async verify(hash, password) {
      const nfc = normalizePassword(password);
      if (await matches(hash, nfc)) return 'match';
      const other = otherForm(password, nfc);
      return other !== undefined && (await matches(hash, other)) ? 'stale_form' : false;
    },
    // A wrong password whose forms differ costs two runs, so the dummy does too: an unknown account must not
    // answer faster than a known one for the same typed password (T6).
    async verifyDummy(password) {
      const nfc = normalizePassword(password);
      await matches(dummy, nfc);
      const other = otherForm(password, nfc);
      if (other !== undefined) await matches(dummy, other);
      return false;
    },
  };
}

/**
 * Checks a typed password against the account's stored hash. A hash made from another Unicode form is replaced by
 * the NFC one on success, so old hashes keep working and the next check needs one argon2 run.
 */
export async function verifyAccountPassword(
  o: {
    hasher: PasswordHasher;
    store: IdentityStore;
    now(): number;
    audit?: ReportEvent;
  },
  accountId: string,
  storedHash: string,
  typed: string,
): Promise<boolean> {
  const match = await o.hasher.verify(storedHash, typed);
  // Only when the hash is still the one just checked: a password changed meanwhile is not overwritten.
  if (
    match === 'stale_form' &&
    (await o.store.replacePasswordHash(accountId, storedHash, await o.hasher.hash(typed), o.now()))
  ) {
    await o.audit?.({
      action: 'account.password_rehash',
      subject: accountId,
      outcome: 'success',
      details: { reason: 'unicode_nfc' },
    });
  }
  return match !== false;
}
