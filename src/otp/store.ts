// What the OTP domain needs from storage; src/otp/sql/ implements it with Kysely. Every "exactly once" rule is a
// conditional update whose affected-row count decides, so it holds across nodes.
import type { TokenRecord } from './token.ts';

export interface StoredToken { record: TokenRecord; secretSealed: string }

export interface OtpStore {
  insert(token: StoredToken): Promise<void>;
  findById(id: string): Promise<StoredToken | undefined>;
  findBySerial(serial: string): Promise<StoredToken | undefined>;
  listForAccount(accountId: string): Promise<StoredToken[]>;
  /** pending → active, if still pending and unexpired; records the first code's step. */
  activate(id: string, step: number, drift: number, atMs: number): Promise<boolean>;
  /** Revokes the account's other software tokens (mobile, desktop); returns their serials. */
  revokeSoftwareExcept(accountId: string, keepId: string, atMs: number): Promise<string[]>;
  /** Accepts `step` only if it is later than the last accepted one: one winner among racing requests. */
  acceptStep(id: string, step: number, drift: number): Promise<boolean>;
  /** Counts a failure and returns the new count. */
  recordFailure(id: string): Promise<number>;
  setLock(id: string, lockedUntil: number, permanently: boolean): Promise<void>;
  setState(id: string, state: TokenRecord['state'], atMs: number): Promise<void>;
  /** Binds an unassigned token to the account; false when it belongs to someone already. */
  assign(serial: string, accountId: string, atMs: number): Promise<boolean>;
  unbind(serial: string, atMs: number): Promise<boolean>;
}
