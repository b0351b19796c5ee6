// CSRF tokens bound to what a form acts on (an interaction, a session): an HMAC the server can recompute, so
// nothing is stored, and a token for one sign-in or session is worthless for another (ASVS V3.5.1).
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

export function createCsrf(key: Buffer) {
  // A KeyObject made once: Node checks a Buffer key anew on every createHmac, at several times the HMAC's cost.
  const secret = createSecretKey(key);
  const token = (scope: string) => createHmac('sha256', secret).update(scope).digest('base64url');
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
