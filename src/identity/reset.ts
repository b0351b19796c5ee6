// Password reset: a single-use link, stored hashed, short-lived, made stale by any other password change and by a
// newer link. It sets a new password and nothing else: it never signs anyone in (checklist T19). The same link, handed
// over instead of mailed, sets the first password of an account an operator made (`setup`: the demo's first
// administrator); the two kinds are hashed apart, so neither opens the other's page.
import { createHash, randomUUID } from 'node:crypto';
import type { Clock, Random } from '../clock/index.ts';
import { IdentityError } from './errors.ts';
import { normalizeEmail } from './email.ts';
import { checkPassword, minPasswordLength, type PasswordHasher, type PasswordPolicy } from './passwords.ts';
import type { SendMail } from './accounts.ts';
import type { IdentityStore, PasswordResetStore } from './store.ts';
import type { ReportEvent } from '../audit/index.ts';

export interface ResetOptions {
  store: IdentityStore;
  resets: PasswordResetStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  /** Whether the account has a second factor (an active OTP token): its password may then be shorter (NIST SP 800-63B rev 4). */
  hasSecondFactor(accountId: string): Promise<boolean>;
  sendMail: SendMail;
  link(token: string): string;
  accountLink(): string;
  clock: Clock;
  random: Random;
  ttlSeconds: number;
  audit?: ReportEvent;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** `reset`: mailed to the person who asked; `setup`: made for an operator to hand over (never mailed). */
export type LinkPurpose = 'reset' | 'setup';
const hashOf = (token: string, purpose: LinkPurpose) => sha256(purpose === 'reset' ? token : `${purpose}:${token}`);
const isToken = (token: unknown): token is string => typeof token === 'string' && token.length <= 100;

/** What a link is now: usable (its account's id), or why not. */
export type LinkState =
  | { state: 'valid'; accountId: string }
  | { state: 'used' | 'expired'; accountId: string }
  | { state: 'invalid' };

export function createPasswordReset(o: ResetOptions) {
  const audit = o.audit ?? (async () => {});
  return {
    /**
     * The shortest password the link's account may choose, for the form. An unknown link shows the rule for an
     * account without a second factor; completing it fails anyway.
     */
    async passwordMinLength(tokenInput: unknown, purpose: LinkPurpose = 'reset'): Promise<number> {
      const reset = isToken(tokenInput) ? await o.resets.findByTokenHash(hashOf(tokenInput, purpose)) : undefined;
      return minPasswordLength(o.policy, reset ? await o.hasSecondFactor(reset.accountId) : false);
    },

    /** Mails a link when the address has an account; an unknown or invalid address gets no mail and no error. */
    async request(emailInput: unknown): Promise<void> {
      let email: string;
      try {
        email = normalizeEmail(emailInput);
      } catch {
        return;
      }
      const account = await o.store.findAccountByEmail(email);
      if (account?.kind !== 'customer' || account.status !== 'active' || !account.passwordHash) {
        await audit({ action: 'account.reset_request', subject: null, outcome: 'unknown_address' });
        return;
      }
      const token = o.random.bytes(32).toString('base64url');
      const now = o.clock.now();
      // A newer link replaces the older ones.
      await o.resets.replace({
        id: randomUUID(),
        accountId: account.id,
        tokenHash: sha256(token),
        passwordFingerprint: sha256(account.passwordHash),
        expiresAt: now + o.ttlSeconds * 1000,
        usedAt: null,
        createdAt: now,
      });
      await o.sendMail('account.reset_password', email, { link: o.link(token), expiresSeconds: o.ttlSeconds });
      await audit({ action: 'account.reset_request', subject: account.id, outcome: 'success' });
    },

    /**
     * A link for the operator to hand over, not mailed (`setup`): 256 random bits, stored hashed, replacing the
     * account's earlier links. Returns the token, which nothing keeps.
     */
    async issue(accountId: string, ttlSeconds: number): Promise<string> {
      const account = await o.store.findAccountById(accountId);
      if (!account?.passwordHash) throw new IdentityError('identity.verification_invalid');
      const token = o.random.bytes(32).toString('base64url');
      const now = o.clock.now();
      await o.resets.replace({
        id: randomUUID(),
        accountId,
        tokenHash: hashOf(token, 'setup'),
        passwordFingerprint: sha256(account.passwordHash),
        expiresAt: now + ttlSeconds * 1000,
        usedAt: null,
        createdAt: now,
      });
      await audit({ action: 'account.setup_link', subject: accountId, outcome: 'success' });
      return token;
    },

    /** Whether the link can still be used, and if not why (used, expired, or no such link of this kind). */
    async stateOf(tokenInput: unknown, purpose: LinkPurpose): Promise<LinkState> {
      const link = isToken(tokenInput) ? await o.resets.findByTokenHash(hashOf(tokenInput, purpose)) : undefined;
      const account = link && (await o.store.findAccountById(link.accountId));
      if (!link || !account?.passwordHash || account.status !== 'active') return { state: 'invalid' };
      // A newer link, or a password changed another way since, spends the link: it reads as used.
      if (link.usedAt !== null || sha256(account.passwordHash) !== link.passwordFingerprint) {
        return { state: 'used', accountId: link.accountId };
      }
      if (link.expiresAt <= o.clock.now()) return { state: 'expired', accountId: link.accountId };
      return { state: 'valid', accountId: link.accountId };
    },

    /** Sets the new password; of two simultaneous uses of one link exactly one wins. Returns the account id. */
    async complete(tokenInput: unknown, newPassword: unknown, purpose: LinkPurpose = 'reset'): Promise<string> {
      if (!isToken(tokenInput)) throw new IdentityError('identity.verification_invalid');
      const reset = await o.resets.findByTokenHash(hashOf(tokenInput, purpose));
      const account = reset && (await o.store.findAccountById(reset.accountId));
      if (!reset || !account?.passwordHash || reset.usedAt !== null || reset.expiresAt <= o.clock.now()) {
        throw new IdentityError('identity.verification_invalid');
      }
      // The password rules are checked before the link is spent, so a refused password does not cost the link.
      const password = checkPassword(o.policy, newPassword, {
        email: account.email ?? undefined,
        secondFactor: await o.hasSecondFactor(account.id),
      });
      const hash = await o.hasher.hash(password);
      const claimed = await o.resets.use(reset.id, o.clock.now());
      // Changed another way since the link was made: the link is stale.
      const stale = sha256(account.passwordHash) !== reset.passwordFingerprint;
      if (!claimed || stale) throw new IdentityError('identity.verification_invalid');
      await o.store.setPasswordHash(account.id, hash, o.clock.now());
      await audit({ action: 'account.password_reset', subject: account.id, outcome: 'success' });
      await o.sendMail('account.password_changed', account.email!, { accountLink: o.accountLink() });
      return account.id;
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
