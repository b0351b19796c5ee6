// What went wrong on the way to a provider and back, in two kinds a person can act on: the provider is unavailable
// (down, slow, answering 5xx: try again later) or its answer was refused (a check failed: start again).
import { SocialError } from './errors.ts';

const unavailableCodes = new Set(['OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_TIMEOUT']);

export function classify(err: unknown): SocialError {
  if (err instanceof SocialError) return err;
  const e = err as { name?: string; code?: string; status?: number; message?: string; cause?: { status?: number } };
  const status = e.status ?? e.cause?.status;
  const unavailable =
    e.name === 'TypeError' ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    (e.code !== undefined && unavailableCodes.has(e.code)) ||
    (status !== undefined && status >= 500);
  return new SocialError(unavailable ? 'social.unavailable' : 'social.rejected', { message: e.message, cause: err });
}
