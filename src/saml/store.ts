// What the SAML IdP keeps: the apps (service providers), its signing keys, the requests it is answering and who
// is signed in to which app in which SSO session. src/saml/sql/ implements it with Kysely.

export interface StoredServiceProvider {
  entityId: string;
  name: string;
  metadata: string;
  /** JSON settings (service-providers.ts). */
  settings: string;
  createdAt: number;
}

export interface StoredKey {
  id: string;
  state: 'current' | 'next' | 'retired';
  privateKeySealed: string;
  certificate: string;
  createdAt: number;
}

export interface PendingRequest {
  id: string;
  spEntityId: string;
  /** The AuthnRequest's ID; `idp:<random>` for an IdP-initiated sign-in (nothing to answer "in response to"). */
  requestId: string;
  acsUrl: string;
  relayState: string | null;
  forceAuthn: boolean;
  requestedMfa: boolean;
  codeVerifier: string;
  expiresAt: number;
  createdAt: number;
}

export interface Participant {
  sessionUid: string;
  spEntityId: string;
  accountId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  createdAt: number;
}

export interface PendingLogout {
  id: string;
  sessionUid: string;
  requesterEntityId: string | null;
  requestId: string | null;
  responseUrl: string | null;
  relayState: string | null;
  expiresAt: number;
  createdAt: number;
}

export interface SamlStore {
  insertProvider(sp: StoredServiceProvider): Promise<'added' | 'exists'>;
  findProvider(entityId: string): Promise<StoredServiceProvider | undefined>;
  listProviders(): Promise<StoredServiceProvider[]>;
  removeProvider(entityId: string): Promise<boolean>;

  /** The keys not retired, oldest first. */
  activeKeys(): Promise<StoredKey[]>;
  insertKey(key: StoredKey): Promise<void>;
  /** Sets a key's state; `retired` stamps the time. */
  setKeyState(id: string, state: StoredKey['state'], atMs: number): Promise<void>;

  /** False when this app sent this request ID before (a replay). `completedAt`: stored as answered already. */
  insertRequest(request: PendingRequest, completedAt?: number): Promise<boolean>;
  findOpenRequest(id: string, atMs: number): Promise<PendingRequest | undefined>;
  /** True for exactly one caller, and only while the request is open at `atMs`. */
  completeRequest(id: string, atMs: number): Promise<boolean>;
  /** Forgets requests that expired before `beforeMs` (their IDs can no longer be replayed: they are expired). */
  purgeRequests(beforeMs: number): Promise<void>;

  /** Records (or refreshes) who got an assertion in which SSO session. */
  saveParticipant(p: Participant): Promise<void>;
  participants(sessionUid: string): Promise<Participant[]>;
  /** The SSO sessions of this account that have SAML apps in them. */
  sessionsWithApps(accountId: string): Promise<string[]>;
  participant(sessionUid: string, spEntityId: string): Promise<Participant | undefined>;
  removeParticipants(sessionUid: string): Promise<void>;
  /** The participant given this SessionIndex (SessionIndex values are random and never reused). */
  participantByIndex(sessionIndex: string): Promise<Participant | undefined>;
  /** Removes one app's participation; true for the one caller that removed it. */
  removeParticipant(sessionUid: string, spEntityId: string): Promise<boolean>;
  /** Forgets participations older than any session lives. */
  purgeParticipants(beforeMs: number): Promise<void>;

  /** False when this app sent this LogoutRequest ID before (a replay). */
  insertLogout(logout: PendingLogout): Promise<boolean>;
  findOpenLogout(id: string, atMs: number): Promise<PendingLogout | undefined>;
  completeLogout(id: string, atMs: number): Promise<boolean>;
  purgeLogouts(beforeMs: number): Promise<void>;
}
