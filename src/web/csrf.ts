// CSRF tokens bound to what a form acts on (an interaction, a session): an HMAC the server can recompute, so
// nothing is stored, and a token for one sign-in or session is worthless for another (ASVS V3.5.1).
import { createHmac, timingSafeEqual } from 'node:crypto';

export function createCsrf(key: Buffer) {
  const token = (scope: string) => createHmac('sha256', key).update(scope).digest('base64url');
  return {
    token,
    valid(scope: string, given: unknown): boolean {
      const expected = Buffer.from(token(scope));
      const actual = Buffer.from(typeof given === 'string' ? given : '');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
