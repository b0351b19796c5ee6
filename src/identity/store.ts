// What the identity domain needs from storage; src/identity/sql/ implements it with Kysely.
export interface Account {
  id: string;
  kind: 'customer' | 'workforce';
  /** Always set for customers; a workforce account has the directory's mail, which may be missing. */
  email: string | null;
  emailVerified: boolean;
  /** Workforce: the directory's stable id (objectGUID / entryUUID), the sign-in name and the groups. */
  directoryId: string | null;
  /** Workforce: the directory entry's DN as last read (sign-in, sync, the helpdesk naming them); null before that. */
  directoryDn?: string | null;
  username: string | null;
  groups: string[];
  passwordHash: string | null;
  name: string | null;
  status: 'active' | 'disabled';
  createdAt: number;
  /** The language the person last used on Tessera's pages: mails, SMS and VPN messages are written in it. */
  locale?: string | null;
}

export interface EmailVerification {
  id: string;
  accountId: string;
  tokenHash: string;
  codeHash: string;
  expiresAt: number;
  interactionUid: string | null;
  /** Made for a sign-up with an address that has an account: answers like a real one, and no code opens it. */
  decoy: boolean;
}

/** The console's list of people: by the start of their user name (or e-mail address), a keyset page at a time. */
export interface AccountSearch {
  /** Compared without case with the start of the user name, or of the e-mail address of those without; '' lists everyone. */
  prefix: string;
  /** Past this row of the list (ordered by `key`, then id): toward the end ('next') or the start ('prev'). */
  from?: { key: string; id: string; toward: 'next' | 'prev' };
  limit: number;
}

/** A row of that list: the account and its place in it (the sign-in name or e-mail address, in lower case). */
export interface ListedAccount {
  account: Account;
  key: string;
}

export interface AccountStore {
  createAccount(account: Account): Promise<'created' | 'email_taken'>;
  findAccountById(id: string): Promise<Account | undefined>;
  findAccountByEmail(email: string): Promise<Account | undefined>;
  markEmailVerified(accountId: string, atMs: number): Promise<void>;
  findAccountByDirectoryId(directoryId: string): Promise<Account | undefined>;
  /** A workforce account by its directory name, case-insensitive. */
  findAccountByUsername(username: string): Promise<Account | undefined>;
  /**
   * Creates or refreshes the workforce account linked to this directory entry; throws IdentityError
   * `identity.email_taken` when its address (or another unique field) is another account's.
   */
  upsertWorkforceAccount(account: Account, atMs: number): Promise<Account>;
  listActiveWorkforceAccounts(): Promise<Account[]>;
  setStatus(accountId: string, status: Account['status'], atMs: number): Promise<void>;
  /** Replaces the password hash only while it is still `previousHash` (a rehash never undoes a password change); true when it did. */
  replacePasswordHash(accountId: string, previousHash: string, newHash: string, atMs: number): Promise<boolean>;
  /** Sets a new password hash, whatever the old one was (a change or a reset the person proved). */
  setPasswordHash(accountId: string, hash: string, atMs: number): Promise<void>;
  /** Makes `email` the primary address, and verified when `verified` says so; 'email_taken' when another has it. */
  setEmail(accountId: string, email: string, atMs: number, verified?: true): Promise<'changed' | 'email_taken'>;
  deleteAccount(accountId: string): Promise<void>;
  /** In the list's order (ascending) whichever way it pages. */
  searchAccounts(search: AccountSearch): Promise<ListedAccount[]>;
  /** Remembers the language the person used last (issue 22). */
  setLocale(accountId: string, locale: string): Promise<void>;
}

/** Sign-up confirmations: a link and a code mailed to the address. */
export interface VerificationStore {
  /**
   * Stores a new verification and spends the account's earlier open ones: the newest mail is the one that works. A
   * decoy spends nothing (it belongs to an account someone else tried to sign up with).
   */
  createVerification(verification: EmailVerification, atMs: number): Promise<void>;
  findVerification(id: string): Promise<EmailVerification | undefined>;
  /** The account's newest real verification still open (unspent, unexpired) at `atMs`. */
  findOpenVerification(accountId: string, atMs: number): Promise<EmailVerification | undefined>;
  findVerificationByTokenHash(tokenHash: string): Promise<EmailVerification | undefined>;
  /** Counts one attempt when the verification is open, unexpired and under the limit; false otherwise. */
  countAttempt(id: string, atMs: number, maxAttempts: number): Promise<boolean>;
  /** Spends the verification; true for exactly one caller even when several race. */
  consumeVerification(id: string, atMs: number): Promise<boolean>;
  /** The verified, spent sign-up verification started by this interaction, for finishing its sign-in. */
  findConsumedVerificationByInteraction(uid: string): Promise<EmailVerification | undefined>;
}

export interface IdentityStore extends AccountStore, VerificationStore {}

/** A change of the primary address: confirmed from the new address, then undoable from the old one for a while. */
export interface EmailChange {
  id: string;
  accountId: string;
  oldEmail: string;
  newEmail: string;
  tokenHash: string;
  undoTokenHash: string;
  expiresAt: number;
  confirmedAt: number | null;
  undoExpiresAt: number | null;
  undoneAt: number | null;
  createdAt: number;
}

export interface EmailChangeStore {
  create(change: EmailChange): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<EmailChange | undefined>;
  findByUndoTokenHash(undoTokenHash: string): Promise<EmailChange | undefined>;
  /** Confirms it while unconfirmed and unexpired, setting its undo link; true for exactly one caller. */
  confirm(id: string, atMs: number, undo: { tokenHash: string; expiresAt: number }): Promise<boolean>;
  /** Marks it undone while confirmed, not undone and its undo link unexpired; true for exactly one caller. */
  undo(id: string, atMs: number): Promise<boolean>;
  listForAccount(accountId: string): Promise<EmailChange[]>;
}

/** A password reset link, stored by its hash; the fingerprint is a digest of the password hash it was made for. */
export interface PasswordResetLink {
  id: string;
  accountId: string;
  tokenHash: string;
  passwordFingerprint: string;
  expiresAt: number;
  usedAt: number | null;
  createdAt: number;
}

export interface PasswordResetStore {
  /** Stores the link and spends the account's earlier unused ones, together: a newer link replaces the older. */
  replace(link: PasswordResetLink): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<PasswordResetLink | undefined>;
  /** Spends the link while unused and unexpired; true for exactly one caller even when several race. */
  use(id: string, atMs: number): Promise<boolean>;
}

export type ConsentSource = 'signup' | 'account' | 'unsubscribe_link' | 'operator';

export interface MarketingConsent {
  subscribed: boolean;
  source: ConsentSource;
  changedAt: number;
}

export interface ConsentStore {
  find(accountId: string): Promise<MarketingConsent | undefined>;
  /** Creates or replaces the account's consent. */
  save(accountId: string, consent: MarketingConsent): Promise<void>;
  /** Active customers with a verified address who said yes, oldest account first. */
  audience(): Promise<Array<{ accountId: string; email: string }>>;
}
