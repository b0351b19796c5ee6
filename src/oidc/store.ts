// What the OIDC module needs from storage; src/oidc/sql/ implements it with Kysely.

/** What oidc-provider keeps through the adapter (a session, grant, code or token), its payload as JSON. */
export interface StoredPayload {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  accountId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: number | null;
}

export interface PayloadStore {
  upsert(row: StoredPayload): Promise<void>;
  /** The row of `model` whose `column` has `value`, expired or not. */
  find(
    model: string,
    column: 'id' | 'user_code' | 'uid',
    value: string,
  ): Promise<{ payload: string; expiresAt: number | null; consumedAt: number | null } | undefined>;
  consume(model: string, id: string, atMs: number): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes the rows issued under the grant (codes, tokens); the Grant row itself carries no grant id. */
  destroyByGrantId(grantId: string): Promise<void>;
  /** Deletes the grant and what was issued under it. */
  destroyGrant(grantId: string): Promise<void>;
  /** The account's rows of `model` unexpired at `atMs`. */
  live(
    model: string,
    accountId: string,
    atMs: number,
  ): Promise<Array<{ id: string; payload: string; expiresAt: number | null }>>;
  /** The rows issued under the grant. */
  issuedUnder(grantId: string): Promise<Array<{ model: string; id: string; payload: string }>>;
  /** Deletes every row of the account; returns how many. */
  destroyAccountRows(accountId: string): Promise<number>;
  /** Deletes rows expired at `atMs`; returns how many. */
  purgeExpired(atMs: number): Promise<number>;
}

/** The browser and address of an SSO session, which oidc-provider does not keep. */
export interface SessionDetail {
  sessionUid: string;
  accountId: string;
  userAgent: string | null;
  ip: string | null;
  lastSeenAt: number;
}

export interface SessionDetailStore {
  /** Creates the session's row (its creation time `atMs`) or updates it. */
  saveDetail(detail: SessionDetail, atMs: number): Promise<void>;
  findDetails(sessionUids: string[]): Promise<SessionDetail[]>;
  destroyDetail(sessionUid: string): Promise<void>;
  destroyAccountDetails(accountId: string): Promise<void>;
}

export type OidcStore = PayloadStore & SessionDetailStore;

/** Registered apps, their metadata as JSON with the secret sealed. */
export interface ClientStore {
  insert(clientId: string, metadata: string, atMs: number): Promise<'added' | 'exists'>;
  /** Read on every token request: kept cheap. */
  findMetadata(clientId: string): Promise<string | undefined>;
  /** Every app's metadata, ordered by client id. */
  list(): Promise<string[]>;
  /** False when there was no such app. */
  remove(clientId: string): Promise<boolean>;
}

/** A named secret sealed at rest: signing keys (`jwk:<kid>`), cookie keys, peppers. */
export interface StoredSecret {
  name: string;
  sealedValue: string;
  createdAt: number;
  retiredAt: number | null;
  /** Signing keys: when it began to sign; null while it is only published (the "next" key). */
  activatedAt?: number | null;
}

export interface SecretStore {
  /** Secrets whose name starts with `prefix`, newest first. */
  listByPrefix(prefix: string): Promise<StoredSecret[]>;
  find(name: string): Promise<StoredSecret | undefined>;
  /** Throws when the name is taken. */
  insert(secret: StoredSecret): Promise<void>;
  /** Keeps the secret already stored under the name, if any. */
  insertIfAbsent(secret: StoredSecret): Promise<void>;
  /** Sets when the secret began to sign or retired. */
  update(name: string, change: { activatedAt?: number; retiredAt?: number }): Promise<void>;
  /**
   * Runs `work` in one transaction that holds the cluster-wide lock `name`: what two nodes decide from the same read
   * (which signing keys are missing) is decided by one of them, and the other sees the result.
   */
  exclusively<T>(name: string, work: (locked: SecretStore) => Promise<T>): Promise<T>;
}
