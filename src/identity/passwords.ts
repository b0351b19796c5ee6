import argon2 from 'argon2';
import { IdentityError } from './errors.ts';

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
export const argon2Options = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  /** True when the password is on the breached or common list. */
  isBreached(password: string): boolean;
}

// ASVS V6.2.5: no composition rules; length counts Unicode code points, as a person counts characters.
export function checkPassword(policy: PasswordPolicy, password: unknown, email?: string): string {
  if (typeof password !== 'string' || [...password].length < policy.minLength) throw new IdentityError('identity.password_too_short', 'password');
  if ([...password].length > policy.maxLength) throw new IdentityError('identity.password_too_long', 'password');
  if (email && password.normalize('NFC').toLowerCase() === email) throw new IdentityError('identity.password_equals_email', 'password');
  if (policy.isBreached(password)) throw new IdentityError('identity.password_breached', 'password');
  return password;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same work as a real verification, so an unknown account answers in the same time as a wrong password. */
  verifyDummy(password: string): Promise<false>;
}

export async function createPasswordHasher(): Promise<PasswordHasher> {
  const dummy = await argon2.hash('tessera-dummy-password', argon2Options);
  return {
    hash: (password) => argon2.hash(password, argon2Options),
    verify: async (hash, password) => {
      try { return await argon2.verify(hash, password); } catch { return false; }
    },
    verifyDummy: async (password) => { await argon2.verify(dummy, password).catch(() => false); return false; },
  };
}
