// Customer accounts: sign-up with e-mail verification (link or 6-digit code), sign-in.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock, Random } from '../clock/index.ts';
import { IdentityError } from './errors.ts';
import { normalizeEmail } from './email.ts';
import { checkPassword, verifyAccountPassword, type PasswordHasher, type PasswordPolicy } from './passwords.ts';
import type { Account, AccountSearch, IdentityStore } from './store.ts';
import type { ReportEvent } from '../audit/index.ts';

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
  audit?: ReportEvent;
  /** Records the opt-in to marketing mail given on the sign-up form (unchecked by default). */
  recordMarketingOptIn?: (accountId: string) => Promise<void>;
  /**
   * Counts one `code_guess` (a guess at an account's confirmation code, across all its codes, so a new code never
   * resets the count) or one `verification_mail` for the account, and answers the seconds to wait when that is over
   * its limit (0 when allowed). The composer binds it to the shared rate limiter; without it nothing is limited.
   */
  throttle?: (kind: 'code_guess' | 'verification_mail', accountId: string) => Promise<number>;
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

type Audit = NonNullable<AccountServiceOptions['audit']>;
type VerificationSteps = ReturnType<typeof verificationSteps>;

/** Issuing and consuming the codes and links that confirm an address, within the account's limits. */
function verificationSteps(options: AccountServiceOptions, audit: Audit) {
  const { store, clock, random } = options;
  const throttle = options.throttle ?? (async () => 0);
  const codeHash = (verificationId: string, code: string) =>
    createHmac('sha256', options.codePepper).update(`${verificationId}:${code}`).digest('hex');
  const refuseWhenThrottled = async (kind: 'code_guess' | 'verification_mail', accountId: string, field?: string) => {
    const waitSeconds = await throttle(kind, accountId);
    if (waitSeconds > 0) throw new IdentityError('identity.too_many_attempts', field, { seconds: waitSeconds });
  };

  /**
   * A new code and link for the account (the earlier ones stop working), mailed; or, for a decoy, a new decoy and
   * the "already registered" mail, so both cost the same and answer alike. Mail is limited per account on every
   * path (sign-up, sign-in before confirming, "send a new code").
   */
  async function startVerification(account: Account, interactionUid: string | null, decoy = false): Promise<string> {
    await refuseWhenThrottled('verification_mail', account.id);
    const id = randomUUID();
    const token = random.bytes(32).toString('base64url');
    // Six CSPRNG digits (ASVS V6.5.3); leading zeros are kept.
    const code = String(random.int(1_000_000)).padStart(6, '0');
    await store.createVerification(
      {
        id,
        accountId: account.id,
        tokenHash: sha256(token),
        codeHash: codeHash(id, code),
        expiresAt: clock.now() + options.verificationTtlSeconds * 1000,
        interactionUid,
        decoy,
      },
      clock.now(),
    );
    if (decoy) {
      await options.sendMail('account.already_registered', account.email!, {
        signInLink: options.links.signIn(),
        resetLink: options.links.resetPassword(),
      });
    } else {
      await options.sendMail('account.verify_email', account.email!, {
        code,
        link: options.links.verifyEmail(token),
        expiresSeconds: options.verificationTtlSeconds,
      });
    }
    return id;
  }

  async function finishVerification(verificationId: string, accountId: string): Promise<Account> {
    // Single use is the database's word, not a read-then-write: of two racing confirmations one wins.
    if (!(await store.consumeVerification(verificationId, clock.now())))
      throw new IdentityError('identity.verification_invalid');
    await store.markEmailVerified(accountId, clock.now());
    await audit({ action: 'account.verify_email', subject: accountId, outcome: 'success' });
    const account = await store.findAccountById(accountId);
    if (!account) throw new IdentityError('identity.verification_invalid');
    return account;
  }

  return { codeHash, refuseWhenThrottled, startVerification, finishVerification };
}

function signUpSteps(options: AccountServiceOptions, audit: Audit, { startVerification }: VerificationSteps) {
  const { store, hasher, policy, clock } = options;
  return {
    async signUp(input: SignUpInput): Promise<PendingVerification> {
      const email = normalizeEmail(input.email);
      const password = checkPassword(policy, input.password, { email });
      const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim().slice(0, 200) : null;
      // Hash before looking the address up, so a taken address costs the same time as a new one (T5).
      const passwordHash = await hasher.hash(password);
      const account: Account = {
        id: randomUUID(),
        kind: 'customer',
        email,
        emailVerified: false,
        directoryId: null,
        username: null,
        groups: [],
        passwordHash,
        name,
        status: 'active',
        createdAt: clock.now(),
      };
      if ((await store.createAccount(account)) === 'email_taken') {
        // No enumeration (T5, T46): the page says "check your mail" either way and its next steps answer alike (a
        // decoy verification that no code opens); the owner learns of the attempt by mail. Should the owner's mail
        // allowance be spent, the page still reads as a new sign-up's, and no mail goes.
        const taken = await store.findAccountByEmail(email);
        await audit({ action: 'account.sign_up', subject: taken?.id ?? email, outcome: 'email_taken' });
        if (!taken) return { verificationId: randomUUID(), email };
        try {
          return { verificationId: await startVerification(taken, input.interactionUid ?? null, true), email };
        } catch (err) {
          if ((err as IdentityError).code !== 'identity.too_many_attempts') throw err;
          return { verificationId: randomUUID(), email };
        }
      }
      if (input.marketingOptIn === true) await options.recordMarketingOptIn?.(account.id);
      const verificationId = await startVerification(account, input.interactionUid ?? null);
      await audit({ action: 'account.sign_up', subject: account.id, outcome: 'success' });
      return { verificationId, email };
    },

    /**
     * A new mail with a new code and link; the earlier ones stop working. A decoy's answer is a real one's; an id
     * that was never handed out answers undefined.
     */
    async resendVerification(verificationId: string): Promise<PendingVerification | undefined> {
      const previous = await store.findVerification(verificationId);
      const account = previous && (await store.findAccountById(previous.accountId));
      if (!previous || !account?.email) return undefined;
      // Confirmed meanwhile (by the link in another browser): nothing to send.
      if (account.emailVerified && !previous.decoy) return { verificationId, email: account.email };
      return {
        verificationId: await startVerification(account, previous.interactionUid, previous.decoy),
        email: account.email,
      };
    },
  };
}

function confirmationSteps(options: AccountServiceOptions, audit: Audit, steps: VerificationSteps) {
  const { store, clock } = options;
  const { codeHash, refuseWhenThrottled, finishVerification } = steps;
  return {
    async confirmByCode(verificationId: string, code: unknown): Promise<Account> {
      if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code.trim()))
        throw new IdentityError('identity.wrong_code', 'code');
      const verification = await store.findVerification(verificationId);
      if (!verification) throw new IdentityError('identity.verification_invalid', 'code');
      // Guesses are counted per account, across its codes (T45): asking for a new code gives no fresh guesses.
      await refuseWhenThrottled('code_guess', verification.accountId, 'code');
      if (!(await store.countAttempt(verification.id, clock.now(), options.verificationMaxAttempts))) {
        throw new IdentityError('identity.verification_invalid', 'code');
      }
      const expected = Buffer.from(verification.codeHash, 'hex');
      const matches = timingSafeEqual(expected, Buffer.from(codeHash(verification.id, code.trim()), 'hex'));
      // A decoy answers "not right" to every code, the one it was made with included: it must never confirm (and so
      // sign in) the account whose address someone else typed.
      if (!matches || verification.decoy) {
        await audit({ action: 'account.verify_email', subject: verification.accountId, outcome: 'wrong_code' });
        throw new IdentityError('identity.wrong_code', 'code');
      }
      return finishVerification(verification.id, verification.accountId);
    },

    async confirmByToken(token: unknown): Promise<{ account: Account; interactionUid: string | null }> {
      if (typeof token !== 'string' || token.length > 100) throw new IdentityError('identity.verification_invalid');
      const verification = await store.findVerificationByTokenHash(sha256(token));
      if (!verification || verification.decoy) throw new IdentityError('identity.verification_invalid');
      return {
        account: await finishVerification(verification.id, verification.accountId),
        interactionUid: verification.interactionUid,
      };
    },

    /** The account whose sign-up this interaction started and whose e-mail has since been confirmed. */
    async accountConfirmedInInteraction(uid: string): Promise<Account | undefined> {
      const verification = await store.findConsumedVerificationByInteraction(uid);
      return verification && store.findAccountById(verification.accountId);
    },
  };
}

function signInSteps(options: AccountServiceOptions, audit: Audit, { startVerification }: VerificationSteps) {
  const { store, hasher, policy, clock } = options;
  return {
    async authenticate(emailInput: unknown, password: unknown): Promise<Account> {
      let email: string;
      try {
        email = normalizeEmail(emailInput);
      } catch {
        email = '';
      }
      const found = email ? await store.findAccountByEmail(email) : undefined;
      // Accounts from the directory sign in with the directory password, never with one stored here; staff kept here
      // (`user add --workforce`) use their own.
      const account = found?.directoryId === null ? found : undefined;
      const typed = typeof password === 'string' ? password : '';
      // Unknown account or no password: the same argon2 work as a wrong password (T6).
      const ok =
        account?.passwordHash && typed.length <= policy.maxLength * 4
          ? await verifyAccountPassword(
              { hasher, store, now: () => clock.now(), audit },
              account.id,
              account.passwordHash,
              typed,
            )
          : await hasher.verifyDummy(typed);
      if (!ok || !account || account.status !== 'active') {
        await audit({ action: 'account.sign_in', subject: account?.id ?? null, outcome: 'failure' });
        throw new IdentityError('identity.invalid_credentials', 'password');
      }
      // Recorded like a directory sign-in, so that the helpdesk sees a person's sign-ins and not only the failures.
      await audit({
        action: 'account.sign_in',
        subject: account.id,
        outcome: 'success',
        details: { source: 'password' },
      });
      return account;
    },

    /**
     * A sign-in with the right password before the address is confirmed: the open verification when there is one
     * (its code still works; the page offers a new one), otherwise a new one, mailed within the account's limit. A
     * sign-in never sends mail by itself while a code is open, so signing in in a loop floods no mailbox (T45).
     */
    async restartVerification(account: Account, interactionUid: string | null): Promise<PendingVerification> {
      const open = await store.findOpenVerification(account.id, clock.now());
      return { verificationId: open?.id ?? (await startVerification(account, interactionUid)), email: account.email! };
    },
  };
}

function operatorSteps(options: AccountServiceOptions, audit: Audit) {
  const { store, hasher, policy, clock } = options;
  return {
    /**
     * `tessera user add`: an operator vouches for the address, so it starts confirmed. `workforce` makes a staff
     * account kept here rather than in a directory (it may use the VPN; a customer account may not).
     */
    async createByOperator(input: {
      email: unknown;
      password: unknown;
      name?: unknown;
      workforce?: boolean;
    }): Promise<Account> {
      const email = normalizeEmail(input.email);
      const password = checkPassword(policy, input.password, { email });
      const account: Account = {
        id: randomUUID(),
        kind: input.workforce ? 'workforce' : 'customer',
        email,
        emailVerified: true,
        directoryId: null,
        username: null,
        groups: [],
        passwordHash: await hasher.hash(password),
        name: typeof input.name === 'string' && input.name.trim() ? input.name.trim() : null,
        status: 'active',
        createdAt: clock.now(),
      };
      if ((await store.createAccount(account)) === 'email_taken')
        throw new IdentityError('identity.email_taken', 'email');
      await audit({
        action: 'account.create',
        subject: account.id,
        outcome: 'success',
        details: { by: 'operator', kind: account.kind },
      });
      return account;
    },

    findAccount: (id: string) => store.findAccountById(id),

    /** The console's list of people, a keyset page at a time (see AccountStore.searchAccounts). */
    search: (search: AccountSearch) => store.searchAccounts(search),

    /**
     * The account a system means by a sign-in name: an e-mail address, or a directory name (`jsmith`, `CORP\jsmith`).
     */
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
}

export function createAccountService(options: AccountServiceOptions) {
  const audit = options.audit ?? (async () => {});
  const verification = verificationSteps(options, audit);
  return {
    ...signUpSteps(options, audit, verification),
    ...confirmationSteps(options, audit, verification),
    ...signInSteps(options, audit, verification),
    ...operatorSteps(options, audit),
    /** The language the person just used a page in: their next mails, SMS and VPN messages are written in it. */
    rememberLocale: (accountId: string, locale: string) => options.store.setLocale(accountId, locale),
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
