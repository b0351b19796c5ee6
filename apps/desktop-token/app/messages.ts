// The app's own messages for its errors, by code, from Tessera's catalogue (src/i18n, `desktop.*`); the server's
// errors arrive already in the server's words, as problem+json `title`.
import { t, type MessageId } from '../../../src/i18n/index.ts';
import { TokenError, type TokenErrorCode } from '../core/index.ts';

const ids: Record<TokenErrorCode, MessageId> = {
  'vault.missing': 'desktop.vault_missing',
  'vault.erased': 'desktop.vault_erased',
  'vault.unreadable': 'desktop.vault_unreadable',
  'vault.wrong_pin': 'desktop.wrong_pin',
  'vault.wait': 'desktop.wait',
  'vault.weak_pin': 'desktop.weak_pin',
  'serial.unreadable': 'desktop.serial_unreadable',
  'server.refused': 'desktop.server_refused',
  'server.unreachable': 'desktop.server_unreachable',
};

/** One or two lines a person reads, with the tries left and the wait where they matter. */
export function describeError(err: unknown): string {
  if (!(err instanceof TokenError)) return t('desktop.unexpected', { message: (err as Error)?.message ?? String(err) });
  if (err.code === 'server.refused' && err.message !== err.code) return err.message;
  const parts = [t(ids[err.code])];
  if (err.code === 'server.unreachable' && err.detail) parts[0] += ` (${err.detail})`;
  if (err.triesLeft !== undefined)
    parts.push(err.triesLeft === 1 ? t('desktop.last_try') : t('desktop.tries_left', { count: err.triesLeft }));
  if (err.retryAfterSeconds) parts.push(t('desktop.next_try', { seconds: err.retryAfterSeconds }));
  return parts.join(' ');
}
