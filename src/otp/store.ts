// What the OTP domain needs from storage; src/otp/sql/ implements it with Kysely. Every "exactly once" rule is a
// conditional update whose affected-row count decides, so it holds across nodes.
import type { Match, TokenRecord, TokenState, TokenType } from './token.ts';

export interface StoredToken {
  record: TokenRecord;
  secretSealed: string;
}

/** From this many consecutive failures on (until the next step), a token's codes wait `delayMs` after the attempt. */
export interface HoldBackStep {
  failures: number;
  delayMs: number;
}

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
  activate(
    id: string,
    match: Match,
    atMs: number,
    replaces: TokenType[],
    options?: { onlyFirst?: boolean },
  ): Promise<TokenRecord[] | 'has_token' | undefined>;
  /** Accepts `step` only if it is later than the last accepted one: one winner among racing requests. */
  acceptStep(id: string, match: Match): Promise<boolean>;
  /**
   * Counts an attempt at a pending token's first code before the code is compared, while it has had fewer than
   * `maxAttempts`; false once it has had them (activation clears the count). Parallel guesses cannot get past it.
   */
  reserveEnrolmentAttempt(id: string, maxAttempts: number): Promise<boolean>;
  /**
   * Counts a failure on an active token that is not held back at `atMs`, before its code is compared, and sets in
   * the same update the hold-back the new count earns (`steps`, by ascending `failures`): of racing attempts only as
   * many are compared as the hold-back lets through. Undefined when the token is locked, held back or gone.
   */
  reserveFailure(
    id: string,
    atMs: number,
    steps: readonly HoldBackStep[],
  ): Promise<{ failures: number; lockedUntil: number } | undefined>;
  /**
   * Gives back a failure reserveFailure counted for an attempt that was not this token's failure, and the hold-back
   * it set (`heldBackUntil`), unless another attempt has set a different one since.
   */
  refundFailure(id: string, heldBackUntil: number): Promise<void>;
  setLock(id: string, lockedUntil: number, permanently: boolean): Promise<void>;
  /** Moves the token from one state to another; false when it was not in `from` (someone else moved it). */
  changeState(id: string, from: TokenState, to: TokenState, atMs: number): Promise<boolean>;
  /** Binds an unassigned, unrevoked hardware token to the account; false when it belongs to someone already. */
  assign(serial: string, accountId: string, atMs: number): Promise<boolean>;
  /** Detaches a token from its account and revokes it; false when it was not bound. */
  unbind(serial: string, atMs: number): Promise<boolean>;
  /**
   * Deletes the registrations (pending tokens with an expiry) that expired at or before `atMs`, never answered with a
   * first code; returns how many. Hardware tokens waiting for a person have no expiry and stay.
   */
  forgetExpiredEnrolments(atMs: number): Promise<number>;
}
