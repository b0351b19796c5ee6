// CSRF for forms shown before anyone is signed in (password reset, OTP registration's first step): there is no
// session to bind the token to, so it is an HMAC of a random cookie. A cross-site page can neither read the cookie
// nor forge the token.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Csrf } from './csrf.ts';

const cookieName = 'tessera_form';
const cookieValue = /(?:^|;\s*)tessera_form=([\w-]{22})/;

/** Form tokens for the pages under `path`, whose cookie is sent to those pages only. */
export function createFormCookie(csrf: Csrf, path: string, secure: boolean) {
  return {
    /** The token for a form on this page, setting the cookie it is bound to when the browser has none. */
    token(req: FastifyRequest, reply: FastifyReply): string {
      let value = cookieValue.exec(req.headers.cookie ?? '')?.[1];
      if (!value) {
        value = randomBytes(16).toString('base64url');
        reply.header(
          'set-cookie',
          `${cookieName}=${value}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=3600${secure ? '; Secure' : ''}`,
        );
      }
      return csrf.token(`form:${value}`);
    },
    valid(req: FastifyRequest<{ Body: Record<string, string | undefined> }>): boolean {
      const value = cookieValue.exec(req.headers.cookie ?? '')?.[1];
      return value !== undefined && csrf.valid(`form:${value}`, req.body?.csrf);
    },
  };
}

export type FormCookie = ReturnType<typeof createFormCookie>;
