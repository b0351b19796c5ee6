// The app's own words for its errors, by code (the server's errors arrive in the server's words, as `title`).
import { TokenError, type TokenErrorCode } from '../core/index.ts';

const words: Record<TokenErrorCode, string> = {
  'vault.missing': 'No token is registered on this PC yet. Run "desktop-token register" (or open the app) first.',
  'vault.erased':
    'The token on this PC was erased after 10 wrong PINs in a row. Register again: you need your directory ' +
    'password, your employee ID and an SMS or helpdesk code.',
  'vault.unreadable': 'The token file is damaged or not a Tessera token file. Register again.',
  'vault.wrong_pin': 'Wrong PIN (or this token file was registered on another PC).',
  'vault.wait': 'Too many wrong PINs: wait before trying again.',
  'vault.weak_pin': 'The PIN must be 6 to 64 characters long.',
  'serial.unreadable':
    "This PC's serial number cannot be read the way it was read at registration (run the app as the same user), " +
    'or at all. Register again, or ask IT support.',
  'server.refused': 'Tessera refused the request.',
  'server.unreachable': 'Tessera cannot be reached. Check the network and the server address.',
};

/** One or two lines a person reads, with the tries left and the wait where they matter. */
export function describeError(err: unknown): string {
  if (!(err instanceof TokenError)) return `Unexpected error: ${(err as Error)?.message ?? String(err)}`;
  if (err.code === 'server.refused') return err.message;
  let text = words[err.code];
  if (err.code === 'server.unreachable' && err.detail) text += ` (${err.detail})`;
  if (err.triesLeft !== undefined)
    text +=
      err.triesLeft === 1
        ? ' One more wrong PIN erases the token from this PC; you would then register again.'
        : ` ${err.triesLeft} tries left before the token is erased from this PC.`;
  if (err.retryAfterSeconds) text += ` Next try in ${err.retryAfterSeconds} s.`;
  return text;
}
