// What the social module needs from storage; src/social/sql/ implements it with Kysely.
import type { SocialIdentity, SocialProviderName } from './provider.ts';

/** A customer account made from a provider: a confirmed address, a name, no password. */
export interface NewAccount {
  id: string;
  email: string;
  name: string | null;
  createdAt: number;
}

/** A trip to a provider and back (the flow's checks and, once back, what the provider vouched for). */
export interface SocialFlow {
  state: string;
  provider: SocialProviderName;
  /** `signin`: the sign-in page's button; `link`: the account page's "Link". */
  purpose: 'signin' | 'link';
  /** The interaction uid (sign-in) or the account session's uid (link). */
  handle: string;
  /** The signed-in account that asked for the link. */
  accountId: string | null;
  browserHash: string;
  nonce: string;
  codeVerifier: string;
  identity: SocialIdentity | null;
  expiresAt: number;
  createdAt: number;
}

export interface SocialLink {
  provider: SocialProviderName;
  subject: string;
  accountId: string;
  email: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface SocialStore {
  saveFlow(flow: SocialFlow): Promise<void>;
  /** The flow of this state, while it has not come back yet and has not expired at `atMs`. */
  findLeaving(state: string, atMs: number): Promise<SocialFlow | undefined>;
  /** Records the provider's answer; true for exactly one caller, while the flow is open. */
  recordReturn(state: string, identity: SocialIdentity, atMs: number): Promise<boolean>;
  /** The newest flow of this handle that came back and is not yet taken (nor expired). */
  findReturned(handle: string, atMs: number): Promise<SocialFlow | undefined>;
  /** Sets the mailed link's token hash (a newer link replaces the older). */
  setProof(state: string, proofHash: string): Promise<void>;
  /** The returned, open flow whose mailed link this is, marked proven; undefined when spent, taken or expired. */
  useProof(proofHash: string, atMs: number): Promise<SocialFlow | undefined>;
  /** Takes the flow (single use): true for exactly one caller. */
  take(state: string, atMs: number): Promise<boolean>;
  purgeFlows(beforeMs: number): Promise<void>;

  findLink(provider: SocialProviderName, subject: string): Promise<SocialLink | undefined>;
  /**
   * A new customer account and its first link, in one transaction: of two requests for the same new person one
   * makes both; the other gets `taken` (the address or the link) and finds the winner's link.
   */
  createAccountWithLink(account: NewAccount, link: SocialLink): Promise<'created' | 'taken'>;
  /** `taken` when this provider account is already linked (to this account or another). */
  addLink(link: SocialLink): Promise<'linked' | 'taken'>;
  listLinks(accountId: string): Promise<SocialLink[]>;
  /** True when the link was this account's and is gone. */
  removeLink(accountId: string, provider: SocialProviderName, subject: string): Promise<boolean>;
  touchLink(provider: SocialProviderName, subject: string, atMs: number): Promise<void>;
}
