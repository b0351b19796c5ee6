// Password reset: a single-use link, stored hashed, short-lived, made stale by any other password change and by a
// newer link. It sets a new password and nothing else: it never signs anyone in (checklist T19).
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock, Random } from '../clock/index.ts';
import type { Database } from '../store/index.ts';
import { IdentityError } from './errors.ts';
import { normalizeEmail } from './email.ts';
import { checkPassword, minPasswordLength, type PasswordHasher, type PasswordPolicy } from './passwords.ts';
import type { SendMail } from './accounts.ts';
import type { IdentityStore } from './store.ts';

export interface ResetOptions {
  db: Kysely<Database>;
  store: IdentityStore;
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
  audit?: (event: { action: string; subject: string | null; outcome: string; details?: Record<string, unknown> }) => Promise<void>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function createPasswordReset(o: ResetOptions) {
  const audit = o.audit ?? (async () => {});
  return {
    /**
     * The shortest password the link's account may choose, for the form. An unknown link shows the rule for an
     * account without a second factor; completing it fails anyway.
     */
    async passwordMinLength(tokenInput: unknown): Promise<number> {
      const reset = typeof tokenInput === 'string' && tokenInput.length <= 100
        ? await o.db.selectFrom('password_resets').select('account_id').where('token_hash', '=', sha256(tokenInput)).executeTakeFirst()
        : undefined;
      return minPasswordLength(o.policy, reset ? await o.hasSecondFactor(reset.account_id) : false);
    },

    /** Mails a link when the address has an account; an unknown or invalid address gets no mail and no error. */
    async request(emailInput: unknown): Promise<void> {
      let email: string;
      try { email = normalizeEmail(emailInput); } catch { return; }
      const account = await o.store.findAccountByEmail(email);
      if (!account || account.kind !== 'customer' || account.status !== 'active' || !account.passwordHash) {
        await audit({ action: 'account.reset_request', subject: null, outcome: 'unknown_address' });
        return;
      }
      const token = o.random.bytes(32).toString('base64url');
      const now = o.clock.now();
      await o.db.transaction().execute(async (trx) => {
        // A newer link replaces the older ones.
        await trx.updateTable('password_resets').set({ used_at: now }).where('account_id', '=', account.id).where('used_at', 'is', null).execute();
        await trx.insertInto('password_resets').values({
          id: randomUUID(), account_id: account.id, token_hash: sha256(token), password_fingerprint: sha256(account.passwordHash!),
          expires_at: now + o.ttlSeconds * 1000, used_at: null, created_at: now,
        }).execute();
      });
      await o.sendMail('account.reset_password', email, { link: o.link(token), expiresSeconds: o.ttlSeconds });
      await audit({ action: 'account.reset_request', subject: account.id, outcome: 'success' });
    },

    /** Sets the new password; of two simultaneous uses of one link exactly one wins. Returns the account id. */
    async complete(tokenInput: unknown, newPassword: unknown): Promise<string> {
      if (typeof tokenInput !== 'string' || tokenInput.length > 100) throw new IdentityError('identity.verification_invalid');
      const reset = await o.db.selectFrom('password_resets').selectAll().where('token_hash', '=', sha256(tokenInput)).executeTakeFirst();
      const account = reset && await o.store.findAccountById(reset.account_id);
      if (!reset || !account?.passwordHash || reset.used_at !== null || reset.expires_at <= o.clock.now()) throw new IdentityError('identity.verification_invalid');
      // The password rules are checked before the link is spent, so a refused password does not cost the link.
      const password = checkPassword(o.policy, newPassword, { email: account.email ?? undefined, secondFactor: await o.hasSecondFactor(account.id) });
      const hash = await o.hasher.hash(password);
      const claimed = await o.db.updateTable('password_resets').set({ used_at: o.clock.now() })
        .where('id', '=', reset.id).where('used_at', 'is', null).where('expires_at', '>', o.clock.now()).executeTakeFirst();
      // Changed another way since the link was made: the link is stale.
      const stale = sha256(account.passwordHash) !== reset.password_fingerprint;
      if (Number(claimed.numUpdatedRows) !== 1 || stale) throw new IdentityError('identity.verification_invalid');
      await o.db.updateTable('accounts').set({ password_hash: hash, updated_at: o.clock.now() }).where('id', '=', account.id).execute();
      await audit({ action: 'account.password_reset', subject: account.id, outcome: 'success' });
      await o.sendMail('account.password_changed', account.email!, { accountLink: o.accountLink() });
      return account.id;
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
