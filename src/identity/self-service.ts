// What a customer does with the account itself: change the password or the primary e-mail (confirmed from the new
// address, undoable from the old one for 7 days), marketing consent, export and deletion.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock, Random } from '../clock/index.ts';
import { isUniqueViolation, type Database } from '../store/index.ts';
import { IdentityError } from './errors.ts';
import { normalizeEmail } from './email.ts';
import { checkPassword, minPasswordLength, verifyAccountPassword, type PasswordHasher, type PasswordPolicy } from './passwords.ts';
import type { SendMail } from './accounts.ts';
import type { Account, IdentityStore } from './store.ts';

export interface SelfServiceOptions {
  db: Kysely<Database>;
  store: IdentityStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  /** Whether the account has a second factor (an active OTP token): its password may then be shorter (NIST SP 800-63B rev 4). */
  hasSecondFactor(accountId: string): Promise<boolean>;
  sendMail: SendMail;
  links: { confirmEmailChange(token: string): string; undoEmailChange(token: string): string; account(): string };
  clock: Clock;
  random: Random;
  emailChangeTtlSeconds: number;
  audit?: (event: { action: string; subject: string | null; outcome: string; details?: Record<string, unknown> }) => Promise<void>;
}

const undoWindowMs = 7 * 24 * 3600 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function createSelfService(o: SelfServiceOptions) {
  const { db, store, hasher, clock } = o;
  const audit = o.audit ?? (async () => {});

  // Recent authentication: the current password is asked for again, whatever the session's age (ASVS V7.5.1).
  async function reauthenticate(accountId: string, password: unknown): Promise<Account> {
    const account = await store.findAccountById(accountId);
    const ok = account?.passwordHash && typeof password === 'string'
      && await verifyAccountPassword({ hasher, store, now: () => clock.now(), audit }, account.id, account.passwordHash, password);
    if (!account || !ok) {
      await audit({ action: 'account.reauthenticate', subject: accountId, outcome: 'failure' });
      throw new IdentityError('identity.wrong_password', 'current_password');
    }
    return account;
  }

  const token = () => o.random.bytes(32).toString('base64url');

  return {
    reauthenticate,

    /** The shortest new password this account may choose, for the change-password form. */
    async passwordMinLength(accountId: string): Promise<number> {
      return minPasswordLength(o.policy, await o.hasSecondFactor(accountId));
    },

    async changePassword(accountId: string, current: unknown, next: unknown): Promise<void> {
      const account = await reauthenticate(accountId, current);
      const password = checkPassword(o.policy, next, { email: account.email ?? undefined, secondFactor: await o.hasSecondFactor(accountId) });
      await db.updateTable('accounts').set({ password_hash: await hasher.hash(password), updated_at: clock.now() }).where('id', '=', accountId).execute();
      await audit({ action: 'account.password_change', subject: accountId, outcome: 'success' });
      await o.sendMail('account.password_changed', account.email!, { accountLink: o.links.account() });
    },

    /** Sends a confirmation link to the new address. A taken address gets the same answer and no link (no enumeration). */
    async startEmailChange(accountId: string, password: unknown, newEmailInput: unknown): Promise<{ newEmail: string }> {
      const newEmail = normalizeEmail(newEmailInput);
      const account = await reauthenticate(accountId, password);
      if (newEmail === account.email) throw new IdentityError('identity.email_unchanged', 'new_email');
      if (await store.findAccountByEmail(newEmail)) {
        await audit({ action: 'account.email_change_start', subject: accountId, outcome: 'email_taken' });
        return { newEmail };
      }
      const confirm = token();
      await db.insertInto('email_changes').values({
        id: randomUUID(), account_id: accountId, old_email: account.email!, new_email: newEmail, token_hash: sha256(confirm),
        undo_token_hash: sha256(token()), expires_at: clock.now() + o.emailChangeTtlSeconds * 1000,
        confirmed_at: null, undo_expires_at: null, undone_at: null, created_at: clock.now(),
      }).execute();
      await o.sendMail('account.confirm_new_email', newEmail, {
        link: o.links.confirmEmailChange(confirm), expiresSeconds: o.emailChangeTtlSeconds,
      });
      await audit({ action: 'account.email_change_start', subject: accountId, outcome: 'success' });
      return { newEmail };
    },

    /** The new address becomes primary only now; the old one gets a notice with an undo link valid for 7 days. */
    async confirmEmailChange(tokenInput: unknown): Promise<Account> {
      if (typeof tokenInput !== 'string' || tokenInput.length > 100) throw new IdentityError('identity.verification_invalid');
      const change = await db.selectFrom('email_changes').selectAll().where('token_hash', '=', sha256(tokenInput)).executeTakeFirst();
      const undo = token();
      const now = clock.now();
      const claimed = change && await db.updateTable('email_changes').set({ confirmed_at: now, undo_expires_at: now + undoWindowMs, undo_token_hash: sha256(undo) })
        .where('id', '=', change.id).where('confirmed_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      if (!change || Number(claimed?.numUpdatedRows) !== 1) throw new IdentityError('identity.verification_invalid');
      const account = await store.findAccountById(change.account_id);
      // The address this change started from must still be the account's: an older pending change cannot override a newer one.
      if (!account || account.email !== change.old_email) throw new IdentityError('identity.verification_invalid');
      try {
        await db.updateTable('accounts').set({ email: change.new_email, email_verified: 1, updated_at: now }).where('id', '=', account.id).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new IdentityError('identity.verification_invalid');
        throw err;
      }
      await o.sendMail('account.email_changed', change.old_email, { newEmail: change.new_email, undoLink: o.links.undoEmailChange(undo) });
      await audit({ action: 'account.email_change', subject: account.id, outcome: 'success' });
      return { ...account, email: change.new_email };
    },

    /** Puts the old address back (the change may have been an attacker's); the caller ends every session. */
    async undoEmailChange(tokenInput: unknown): Promise<Account> {
      if (typeof tokenInput !== 'string' || tokenInput.length > 100) throw new IdentityError('identity.verification_invalid');
      const now = clock.now();
      const change = await db.selectFrom('email_changes').selectAll().where('undo_token_hash', '=', sha256(tokenInput)).executeTakeFirst();
      const claimed = change && await db.updateTable('email_changes').set({ undone_at: now })
        .where('id', '=', change.id).where('confirmed_at', 'is not', null).where('undone_at', 'is', null).where('undo_expires_at', '>', now).executeTakeFirst();
      if (!change || Number(claimed?.numUpdatedRows) !== 1) throw new IdentityError('identity.verification_invalid');
      try {
        await db.updateTable('accounts').set({ email: change.old_email, updated_at: now }).where('id', '=', change.account_id).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new IdentityError('identity.verification_invalid');
        throw err;
      }
      await audit({ action: 'account.email_change_undo', subject: change.account_id, outcome: 'success' });
      return (await store.findAccountById(change.account_id))!;
    },

    async marketing(accountId: string): Promise<{ subscribed: boolean; source: string | null; changedAt: number | null }> {
      const row = await db.selectFrom('marketing_consents').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      return { subscribed: row?.subscribed === 1, source: row?.source ?? null, changedAt: row?.changed_at ?? null };
    },

    /** Records consent with its time and source; setting the same value again changes nothing (idempotent). */
    async setMarketing(accountId: string, subscribed: boolean, source: 'signup' | 'account' | 'unsubscribe_link' | 'operator'): Promise<boolean> {
      const current = await db.selectFrom('marketing_consents').select('subscribed').where('account_id', '=', accountId).executeTakeFirst();
      if ((current?.subscribed === 1) === subscribed && current) return false;
      const row = { subscribed: subscribed ? 1 : 0, source, changed_at: clock.now() };
      await db.insertInto('marketing_consents').values({ account_id: accountId, ...row })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(row)).execute();
      await audit({ action: subscribed ? 'marketing.subscribe' : 'marketing.unsubscribe', subject: accountId, outcome: 'success', details: { source } });
      return true;
    },

    /** Active customers who said yes to marketing mail, with the address to write to. */
    async marketingAudience(): Promise<Array<{ accountId: string; email: string }>> {
      const rows = await db.selectFrom('marketing_consents').innerJoin('accounts', 'accounts.id', 'marketing_consents.account_id')
        .select(['accounts.id', 'accounts.email']).where('marketing_consents.subscribed', '=', 1).where('accounts.status', '=', 'active')
        .where('accounts.email', 'is not', null).where('accounts.email_verified', '=', 1).orderBy('accounts.created_at').execute();
      return rows.map((r) => ({ accountId: r.id, email: r.email! }));
    },

    /** Everything Tessera holds about the account, for the customer to download. */
    async exportData(accountId: string) {
      const account = await store.findAccountById(accountId);
      if (!account) throw new IdentityError('identity.invalid_credentials');
      const { passwordHash: _hash, ...profile } = account;
      const emailChanges = await db.selectFrom('email_changes').select(['old_email', 'new_email', 'created_at', 'confirmed_at', 'undone_at']).where('account_id', '=', accountId).execute();
      const events = await db.selectFrom('audit_events').select(['at', 'action', 'outcome', 'source']).where('subject', '=', accountId).orderBy('seq').execute();
      return { profile, marketing: await this.marketing(accountId), emailChanges, activity: events };
    },

    /** Deletes the account after re-authentication; its address is free again. The caller ends sessions first. */
    async deleteAccount(accountId: string, password: unknown): Promise<Account> {
      const account = await reauthenticate(accountId, password);
      await db.deleteFrom('accounts').where('id', '=', accountId).execute();
      await audit({ action: 'account.delete', subject: accountId, outcome: 'success' });
      if (account.email) await o.sendMail('account.deleted', account.email, {});
      return account;
    },
  };
}

export type SelfService = ReturnType<typeof createSelfService>;
