// Customer accounts: sign-up with e-mail verification (link or 6-digit code), sign-in.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock, Random } from '../clock/index.ts';
import { IdentityError } from './errors.ts';
import { normalizeEmail } from './email.ts';
import { checkPassword, verifyAccountPassword, type PasswordHasher, type PasswordPolicy } from './passwords.ts';
import type { Account, IdentityStore } from './store.ts';

/** Sends a templated mail; the composer binds it to the outbox and the templates. */
export type SendMail = (templateId: string, to: string, params: Record<string, string | number>) => Promise<void>;

export interface AccountLinks {
  verifyEmail(token: string): string;
  signIn(): string;
  resetPassword(): string;
}

export interface AccountServiceOptions {
  store: IdentityStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  sendMail: SendMail;
  links: AccountLinks;
  clock: Clock;
  random: Random;
  /** Keys the hash of short codes, so a copy of the database alone cannot brute-force them. */
  codePepper: Buffer;
  verificationTtlSeconds: number;
  verificationMaxAttempts: number;
  audit?: (event: { action: string; subject: string | null; outcome: string; details?: Record<string, unknown> }) => Promise<void>;
  /** Records the opt-in to marketing mail given on the sign-up form (unchecked by default). */
  recordMarketingOptIn?: (accountId: string) => Promise<void>;
}

export interface SignUpInput {
  email: unknown;
  password: unknown;
  name?: unknown;
  interactionUid?: string;
  marketingOptIn?: boolean;
}

/** What the page shows after sign-up; identical whether the address was new or taken. */
export interface PendingVerification {
  verificationId: string;
  email: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function createAccountService(options: AccountServiceOptions) {
  const { store, hasher, policy, clock, random } = options;
  const audit = options.audit ?? (async () => {});
  const codeHash = (verificationId: string, code: string) =>
    createHmac('sha256', options.codePepper).update(`${verificationId}:${code}`).digest('hex');

  async function startVerification(account: Account, interactionUid: string | null): Promise<string> {
    const id = randomUUID();
    const token = random.bytes(32).toString('base64url');
    // Six CSPRNG digits (ASVS V6.5.3); leading zeros are kept.
    const code = String(random.int(1_000_000)).padStart(6, '0');
    await store.createVerification({
      id, accountId: account.id, tokenHash: sha256(token), codeHash: codeHash(id, code),
      expiresAt: clock.now() + options.verificationTtlSeconds * 1000, interactionUid,
    }, clock.now());
    await options.sendMail('account.verify_email', account.email!, {
      code, link: options.links.verifyEmail(token), expiresMinutes: Math.round(options.verificationTtlSeconds / 60),
    });
    return id;
  }

  return {
    async signUp(input: SignUpInput): Promise<PendingVerification> {
      const email = normalizeEmail(input.email);
      const password = checkPassword(policy, input.password, { email });
      const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim().slice(0, 200) : null;
      // Hash before looking the address up, so a taken address costs the same time as a new one (T5).
      const passwordHash = await hasher.hash(password);
      const account: Account = {
        id: randomUUID(), kind: 'customer', email, emailVerified: false, directoryId: null, username: null, groups: [],
        passwordHash, name, status: 'active', createdAt: clock.now(),
      };
      if (await store.createAccount(account) === 'email_taken') {
        // No enumeration: the page says "check your mail" either way; the owner learns of the attempt by mail.
        await options.sendMail('account.already_registered', email, {
          signInLink: options.links.signIn(), resetLink: options.links.resetPassword(),
        });
        await audit({ action: 'account.sign_up', subject: email, outcome: 'email_taken' });
        return { verificationId: randomUUID(), email };
      }
      if (input.marketingOptIn === true) await options.recordMarketingOptIn?.(account.id);
      const verificationId = await startVerification(account, input.interactionUid ?? null);
      await audit({ action: 'account.sign_up', subject: account.id, outcome: 'success' });
      return { verificationId, email };
    },

    /** A new mail with a new code and link; the earlier ones stop working. Unknown ids answer like known ones. */
    async resendVerification(verificationId: string): Promise<PendingVerification | undefined> {
      const previous = await store.findVerification(verificationId);
      const account = previous && await store.findAccountById(previous.accountId);
      if (!previous || !account || account.emailVerified) return undefined;
      return { verificationId: await startVerification(account, previous.interactionUid), email: account.email! };
    },

    async confirmByCode(verificationId: string, code: unknown): Promise<Account> {
      if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code.trim())) throw new IdentityError('identity.wrong_code', 'code');
      const verification = await store.findVerification(verificationId);
      if (!verification || !await store.countAttempt(verification.id, clock.now(), options.verificationMaxAttempts)) {
        throw new IdentityError('identity.verification_invalid', 'code');
      }
      const expected = Buffer.from(verification.codeHash, 'hex');
      if (!timingSafeEqual(expected, Buffer.from(codeHash(verification.id, code.trim()), 'hex'))) {
        await audit({ action: 'account.verify_email', subject: verification.accountId, outcome: 'wrong_code' });
        throw new IdentityError('identity.wrong_code', 'code');
      }
      return finishVerification(verification.id, verification.accountId);
    },

    async confirmByToken(token: unknown): Promise<{ account: Account; interactionUid: string | null }> {
      if (typeof token !== 'string' || token.length > 100) throw new IdentityError('identity.verification_invalid');
      const verification = await store.findVerificationByTokenHash(sha256(token));
      if (!verification) throw new IdentityError('identity.verification_invalid');
      return { account: await finishVerification(verification.id, verification.accountId), interactionUid: verification.interactionUid };
    },

    /** The account whose sign-up this interaction started and whose e-mail has since been confirmed. */
    async accountConfirmedInInteraction(uid: string): Promise<Account | undefined> {
      const verification = await store.findConsumedVerificationByInteraction(uid);
      return verification && store.findAccountById(verification.accountId);
    },

    async authenticate(emailInput: unknown, password: unknown): Promise<Account> {
      let email: string;
      try { email = normalizeEmail(emailInput); } catch { email = ''; }
      const found = email ? await store.findAccountByEmail(email) : undefined;
      // Accounts from the directory sign in with the directory password, never with one stored here; staff kept here
      // (`user add --workforce`) use their own.
      const account = found?.directoryId === null ? found : undefined;
      const typed = typeof password === 'string' ? password : '';
      // Unknown account or no password: the same argon2 work as a wrong password (T6).
      const ok = account?.passwordHash && typed.length <= policy.maxLength * 4
        ? await verifyAccountPassword({ hasher, store, now: () => clock.now(), audit }, account.id, account.passwordHash, typed)
        : await hasher.verifyDummy(typed);
      if (!ok || !account || account.status !== 'active') {
        await audit({ action: 'account.sign_in', subject: account?.id ?? null, outcome: 'failure' });
        throw new IdentityError('identity.invalid_credentials', 'password');
      }
      // Recorded like a directory sign-in, so that the helpdesk sees a person's sign-ins and not only the failures.
      await audit({ action: 'account.sign_in', subject: account.id, outcome: 'success', details: { source: 'password' } });
      return account;
    },

    /** Starts a fresh verification for a signed-in but unconfirmed account (sign-in before confirming). */
    async restartVerification(account: Account, interactionUid: string | null): Promise<PendingVerification> {
      return { verificationId: await startVerification(account, interactionUid), email: account.email! };
    },

    /**
     * `tessera user add`: an operator vouches for the address, so it starts confirmed. `workforce` makes a staff
     * account kept here rather than in a directory (it may use the VPN; a customer account may not).
     */
    async createByOperator(input: { email: unknown; password: unknown; name?: unknown; workforce?: boolean }): Promise<Account> {
      const email = normalizeEmail(input.email);
      const password = checkPassword(policy, input.password, { email });
      const account: Account = {
        id: randomUUID(), kind: input.workforce ? 'workforce' : 'customer', email, emailVerified: true, directoryId: null, username: null, groups: [], passwordHash: await hasher.hash(password),
        name: typeof input.name === 'string' && input.name.trim() ? input.name.trim() : null, status: 'active', createdAt: clock.now(),
      };
      if (await store.createAccount(account) === 'email_taken') throw new IdentityError('identity.email_taken', 'email');
      await audit({ action: 'account.create', subject: account.id, outcome: 'success', details: { by: 'operator', kind: account.kind } });
      return account;
    },

    findAccount: (id: string) => store.findAccountById(id),

    /** The account a system means by a sign-in name: an e-mail address, or a directory name (`jsmith`, `CORP\jsmith`). */
    async findByLogin(name: string): Promise<Account | undefined> {
      const trimmed = name.normalize('NFC').trim();
      if (trimmed.includes('@')) {
        const byEmail = await store.findAccountByEmail(trimmed.toLowerCase());
        if (byEmail) return byEmail;
      }
      const bare = trimmed.slice(trimmed.lastIndexOf('\\') + 1).split('@')[0];
      return bare ? store.findAccountByUsername(bare) : undefined;
    },
  };

  async function finishVerification(verificationId: string, accountId: string): Promise<Account> {
    // Single use is the database's word, not a read-then-write: of two racing confirmations one wins.
    if (!await store.consumeVerification(verificationId, clock.now())) throw new IdentityError('identity.verification_invalid');
    await store.markEmailVerified(accountId, clock.now());
    await audit({ action: 'account.verify_email', subject: accountId, outcome: 'success' });
    const account = await store.findAccountById(accountId);
    if (!account) throw new IdentityError('identity.verification_invalid');
    return account;
  }
}

export type AccountService = ReturnType<typeof createAccountService>;
