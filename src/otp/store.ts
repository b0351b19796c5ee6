// What the OTP domain needs from storage; src/otp/sql/ implements it with Kysely. Every "exactly once" rule is a
// conditional update whose affected-row count decides, so it holds across nodes.
import type { Match, TokenRecord, TokenState, TokenType } from './token.ts';

export interface StoredToken { record: TokenRecord; secretSealed: string }

export interface OtpStore {
  /** False when the serial number is taken already. */
  insert(token: StoredToken): Promise<boolean>;
  findById(id: string): Promise<StoredToken | undefined>;
  findBySerial(serial: string): Promise<StoredToken | undefined>;
  listForAccount(accountId: string): Promise<StoredToken[]>;
  /** Whether the account has an active token: asked at every sign-in's second-factor decision. */
  hasActive(accountId: string): Promise<boolean>;
  /**
   * pending → active if still pending and unexpired at `atMs`, recording the first code's step; in the same
   * transaction, revokes the account's other active or locked tokens of `replaces` types. Undefined when the token
   * was no longer pending (expired, already used, or revoked by a concurrent activation); `has_token` when
   * `onlyFirst` is set and the account holds another active or locked token; else the revoked tokens.
   */
  activate(id: string, match: Match, atMs: number, replaces: TokenType[], options?: { onlyFirst?: boolean }): Promise<TokenRecord[] | 'has_token' | undefined>;
  /** Accepts `step` only if it is later than the last accepted one: one winner among racing requests. */
  acceptStep(id: string, match: Match): Promise<boolean>;
  /** Counts a failure and returns the new count (0 when no such token). */
  recordFailure(id: string): Promise<number>;
  setLock(id: string, lockedUntil: number, permanently: boolean): Promise<void>;
  /** Moves the token from one state to another; false when it was not in `from` (someone else moved it). */
  changeState(id: string, from: TokenState, to: TokenState, atMs: number): Promise<boolean>;
  /** Binds an unassigned, unrevoked hardware token to the account; false when it belongs to someone already. */
  assign(serial: string, accountId: string, atMs: number): Promise<boolean>;
  /** Detaches a token from its account and revokes it; false when it was not bound. */
  unbind(serial: string, atMs: number): Promise<boolean>;
}
