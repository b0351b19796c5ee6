// What a customer does with the account itself: change the password or the primary e-mail (confirmed from the new
// address, undoable from the old one for 7 days), marketing consent, export and deletion.
import { createHash, randomUUID } from 'node:crypto';
import type { Clock, Random } from '../clock/index.ts';
import { IdentityError } from './errors.ts';
import { normalizeEmail } from './email.ts';
import {
  checkPassword,
  minPasswordLength,
  verifyAccountPassword,
  type PasswordHasher,
  type PasswordPolicy,
} from './passwords.ts';
import type { SendMail } from './accounts.ts';
import type { Account, ConsentSource, ConsentStore, EmailChangeStore, IdentityStore } from './store.ts';
import type { ReportEvent } from '../audit/index.ts';

export interface SelfServiceOptions {
  store: IdentityStore;
  emailChanges: EmailChangeStore;
  consents: ConsentStore;
  /** The audit log's events about the account, oldest first, for its data export. */
  activity(accountId: string): Promise<Array<{ at: number; action: string; outcome: string; source: string | null }>>;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  /** Whether the account has a second factor (an active OTP token): its password may then be shorter (NIST SP 800-63B rev 4). */
  hasSecondFactor(accountId: string): Promise<boolean>;
  sendMail: SendMail;
  links: { confirmEmailChange(token: string): string; undoEmailChange(token: string): string; account(): string };
  clock: Clock;
  random: Random;
  emailChangeTtlSeconds: number;
  audit?: ReportEvent;
}

const undoWindowMs = 7 * 24 * 3600 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

type Audit = NonNullable<SelfServiceOptions['audit']>;

type Reauthenticate = (accountId: string, password: unknown) => Promise<Account>;

/** A new primary address: started with the password, confirmed from the new address, undone from the old one. */
function emailChangeSteps(o: SelfServiceOptions, reauthenticate: Reauthenticate, audit: Audit) {
  const { store, emailChanges, clock } = o;
  const token = () => o.random.bytes(32).toString('base64url');
  return {
    /** Sends a confirmation link to the new address. A taken address gets the same answer and no link (no enumeration). */
    async startEmailChange(
      accountId: string,
      password: unknown,
      newEmailInput: unknown,
    ): Promise<{ newEmail: string }> {
      const newEmail = normalizeEmail(newEmailInput);
      const account = await reauthenticate(accountId, password);
      if (newEmail === account.email) throw new IdentityError('identity.email_unchanged', 'new_email');
      if (await store.findAccountByEmail(newEmail)) {
        await audit({ action: 'account.email_change_start', subject: accountId, outcome: 'email_taken' });
        return { newEmail };
      }
      const confirm = token();
      await emailChanges.create({
        id: randomUUID(),
        accountId,
        oldEmail: account.email!,
        newEmail,
        tokenHash: sha256(confirm),
        undoTokenHash: sha256(token()),
        expiresAt: clock.now() + o.emailChangeTtlSeconds * 1000,
        confirmedAt: null,
        undoExpiresAt: null,
        undoneAt: null,
        createdAt: clock.now(),
      });
      await o.sendMail('account.confirm_new_email', newEmail, {
        link: o.links.confirmEmailChange(confirm),
        expiresSeconds: o.emailChangeTtlSeconds,
      });
      await audit({ action: 'account.email_change_start', subject: accountId, outcome: 'success' });
      return { newEmail };
    },

    /** The new address becomes primary only now; the old one gets a notice with an undo link valid for 7 days. */
    async confirmEmailChange(tokenInput: unknown): Promise<Account> {
      if (typeof tokenInput !== 'string' || tokenInput.length > 100)
        throw new IdentityError('identity.verification_invalid');
      const change = await emailChanges.findByTokenHash(sha256(tokenInput));
      const undo = token();
      const now = clock.now();
      const undoLink = { tokenHash: sha256(undo), expiresAt: now + undoWindowMs };
      const claimed = change && (await emailChanges.confirm(change.id, now, undoLink));
      if (!change || !claimed) throw new IdentityError('identity.verification_invalid');
      const account = await store.findAccountById(change.accountId);
      // The address this change started from must still be the account's: an older pending change cannot override a newer one.
      if (!account || account.email !== change.oldEmail) throw new IdentityError('identity.verification_invalid');
      if ((await store.setEmail(account.id, change.newEmail, now, true)) === 'email_taken') {
        throw new IdentityError('identity.verification_invalid');
      }
      await o.sendMail('account.email_changed', change.oldEmail, {
        newEmail: change.newEmail,
        undoLink: o.links.undoEmailChange(undo),
      });
      await audit({ action: 'account.email_change', subject: account.id, outcome: 'success' });
      return { ...account, email: change.newEmail };
    },

    /** Puts the old address back (the change may have been an attacker's); the caller ends every session. */
    async undoEmailChange(tokenInput: unknown): Promise<Account> {
      if (typeof tokenInput !== 'string' || tokenInput.length > 100)
        throw new IdentityError('identity.verification_invalid');
      const now = clock.now();
      const change = await emailChanges.findByUndoTokenHash(sha256(tokenInput));
      const claimed = change && (await emailChanges.undo(change.id, now));
      if (!change || !claimed) throw new IdentityError('identity.verification_invalid');
      if ((await store.setEmail(change.accountId, change.oldEmail, now)) === 'email_taken') {
        throw new IdentityError('identity.verification_invalid');
      }
      await audit({ action: 'account.email_change_undo', subject: change.accountId, outcome: 'success' });
      return (await store.findAccountById(change.accountId))!;
    },
  };
}

function marketingConsent(o: SelfServiceOptions, audit: Audit) {
  const { consents, clock } = o;
  return {
    async marketing(
      accountId: string,
    ): Promise<{ subscribed: boolean; source: string | null; changedAt: number | null }> {
      const consent = await consents.find(accountId);
      return {
        subscribed: consent?.subscribed === true,
        source: consent?.source ?? null,
        changedAt: consent?.changedAt ?? null,
      };
    },

    /** Records consent with its time and source; setting the same value again changes nothing (idempotent). */
    async setMarketing(accountId: string, subscribed: boolean, source: ConsentSource): Promise<boolean> {
      const current = await consents.find(accountId);
      if (current && current.subscribed === subscribed) return false;
      await consents.save(accountId, { subscribed, source, changedAt: clock.now() });
      await audit({
        action: subscribed ? 'marketing.subscribe' : 'marketing.unsubscribe',
        subject: accountId,
        outcome: 'success',
        details: { source },
      });
      return true;
    },

    /** Active customers who said yes to marketing mail, with the address to write to. */
    async marketingAudience(): Promise<Array<{ accountId: string; email: string }>> {
      return consents.audience();
    },
  };
}

export function createSelfService(o: SelfServiceOptions) {
  const { store, emailChanges, hasher, clock } = o;
  const audit = o.audit ?? (async () => {});

  // Recent authentication: the current password is asked for again, whatever the session's age (ASVS V7.5.1).
  async function reauthenticate(accountId: string, password: unknown): Promise<Account> {
    const account = await store.findAccountById(accountId);
    const ok =
      account?.passwordHash &&
      typeof password === 'string' &&
      (await verifyAccountPassword(
        { hasher, store, now: () => clock.now(), audit },
        account.id,
        account.passwordHash,
        password,
      ));
    if (!account || !ok) {
      await audit({ action: 'account.reauthenticate', subject: accountId, outcome: 'failure' });
      throw new IdentityError('identity.wrong_password', 'current_password');
    }
    return account;
  }

  async function remove(account: Account): Promise<Account> {
    await store.deleteAccount(account.id);
    await audit({ action: 'account.delete', subject: account.id, outcome: 'success' });
    if (account.email) await o.sendMail('account.deleted', account.email, {});
    return account;
  }

  const emailChange = emailChangeSteps(o, reauthenticate, audit);
  const marketing = marketingConsent(o, audit);

  return {
    reauthenticate,

    /** The shortest new password this account may choose, for the change-password form. */
    async passwordMinLength(accountId: string): Promise<number> {
      return minPasswordLength(o.policy, await o.hasSecondFactor(accountId));
    },

    async changePassword(accountId: string, current: unknown, next: unknown): Promise<void> {
      const account = await reauthenticate(accountId, current);
      const password = checkPassword(o.policy, next, {
        email: account.email ?? undefined,
        secondFactor: await o.hasSecondFactor(accountId),
      });
      await store.setPasswordHash(accountId, await hasher.hash(password), clock.now());
      await audit({ action: 'account.password_change', subject: accountId, outcome: 'success' });
      await o.sendMail('account.password_changed', account.email!, { accountLink: o.links.account() });
    },

    ...emailChange,
    ...marketing,

    /** Everything Tessera holds about the account, for the customer to download. */
    async exportData(accountId: string) {
      const account = await store.findAccountById(accountId);
      if (!account) throw new IdentityError('identity.invalid_credentials');
      const { passwordHash: _hash, ...profile } = account;
      // The export's field names are the stored columns', as people and their tools have read them so far.
      const changes = (await emailChanges.listForAccount(accountId)).map((c) => ({
        old_email: c.oldEmail,
        new_email: c.newEmail,
        created_at: c.createdAt,
        confirmed_at: c.confirmedAt,
        undone_at: c.undoneAt,
      }));
      const activity = await o.activity(accountId);
      return { profile, marketing: await marketing.marketing(accountId), emailChanges: changes, activity };
    },

    /** Deletes the account after re-authentication; its address is free again. The caller ends sessions first. */
    async deleteAccount(accountId: string, password: unknown): Promise<Account> {
      return remove(await reauthenticate(accountId, password));
    },

    /**
     * Deletes an account that has no password (made with a social provider): the caller has checked a recent sign-in
     * at the provider instead. An account with a password is deleted only with it.
     */
    async deleteAccountWithoutPassword(accountId: string): Promise<Account> {
      const account = await store.findAccountById(accountId);
      if (!account || account.passwordHash) throw new IdentityError('identity.wrong_password', 'current_password');
      return remove(account);
    },
  };
}

export type SelfService = ReturnType<typeof createSelfService>;
