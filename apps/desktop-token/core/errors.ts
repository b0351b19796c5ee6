// The desktop token's errors: a stable code each (the app maps them to its own words once, in app/messages.ts).
export type TokenErrorCode =
  /** No vault on this PC: register first. */
  | 'vault.missing'
  /** The vault was erased after too many wrong PINs: register again. */
  | 'vault.erased'
  /** The file is not a vault this version reads. */
  | 'vault.unreadable'
  /** The PIN is wrong, or the vault was made on another PC (the two cannot be told apart, on purpose). */
  | 'vault.wrong_pin'
  /** Too soon after a wrong PIN: wait `retryAfterSeconds`. */
  | 'vault.wait'
  /** A new PIN that does not follow the rules (6 to 64 characters). */
  | 'vault.weak_pin'
  /** The device's serial number could not be read the way it was read at registration. */
  | 'serial.unreadable'
  /** Tessera answered with an error (its problem code in `detail`). */
  | 'server.refused'
  /** Tessera could not be reached. */
  | 'server.unreachable';

export class TokenError extends Error {
  readonly code: TokenErrorCode;
  /** Wrong PINs left before the vault is erased (after `vault.wrong_pin`). */
  readonly triesLeft?: number;
  readonly retryAfterSeconds?: number;
  readonly detail?: string;

  constructor(
    code: TokenErrorCode,
    extra: { triesLeft?: number; retryAfterSeconds?: number; detail?: string; message?: string } = {},
  ) {
    super(extra.message ?? code);
    this.name = 'TokenError';
    this.code = code;
    this.triesLeft = extra.triesLeft;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.detail = extra.detail;
  }
}
