// What every console route is built from: the console session (or a redirect to sign in), a CSRF token bound to it
// on every form, the admin service acting as the person signed in (whose roles decide, not the page), and one mapping
// from the admin service's refusals to a page and status.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { AdminError, consoleAppId, type AdminService, type Operator } from '../../admin/index.ts';
import type { Clock } from '../../clock/index.ts';
import { TesseraError } from '../../errors/index.ts';
import { isMessageId, type MessageId } from '../../i18n/index.ts';
import type { PasswordReset } from '../../identity/index.ts';
import type { Csrf } from '../csrf.ts';
import { messagePage } from '../pages/account-pages.ts';
import { consoleSessions, type ConsoleSession } from './session.ts';

export const consoleClientId = consoleAppId;

export interface ConsoleOptions {
  provider: Provider;
  admin(operator: Operator): AdminService;
  /** The one-time links that set the first password of an operator's account (the demo's first administrator). */
  setupLinks: Pick<PasswordReset, 'stateOf' | 'complete' | 'passwordMinLength'>;
  csrf: Csrf;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  issuer: string;
  secureCookies: boolean;
  clock: Clock;
  limits: { idleSeconds: number; absoluteSeconds: number };
}

export type Body = Record<string, string | undefined>;

// Refusals of the admin service, as the page says them. Out of an agent's scope reads as nobody (guard.ts).
const refusals: Record<string, { status: number; message: MessageId }> = {
  'admin.forbidden': { status: 403, message: 'console.forbidden' },
  'admin.account_unknown': { status: 404, message: 'console.nobody' },
  'admin.token_not_in_use': { status: 404, message: 'console.token_not_in_use' },
  'admin.token_not_bound': { status: 404, message: 'console.token_not_bound' },
  'admin.no_directory': { status: 409, message: 'console.no_directory' },
  'admin.serial_unknown': { status: 404, message: 'console.serial_unknown' },
  'admin.serial_taken': { status: 409, message: 'console.serial_taken' },
};

export function createConsoleKit(o: ConsoleOptions) {
  const sessions = consoleSessions(o);
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  /** A page: the console session, or off to sign in. */
  async function signedIn(req: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | undefined> {
    const session = await sessions.current(req, reply);
    if (!session) reply.redirect('/console/login', 303);
    return session;
  }

  /** A form: the console session and a CSRF token bound to it (ASVS V3.5.1); otherwise nothing is done. */
  async function authorized(
    req: FastifyRequest<{ Body: Body }>,
    reply: FastifyReply,
  ): Promise<ConsoleSession | undefined> {
    const session = await signedIn(req, reply);
    if (!session) return undefined;
    if (!o.csrf.valid(`console:${session.uid}`, req.body?.csrf)) {
      csrfRefused(reply);
      return undefined;
    }
    return session;
  }

  const csrfRefused = (reply: FastifyReply) => page(reply, 403, messagePage('console.title', 'web.csrf'));

  return {
    options: o,
    sessions,
    page,
    signedIn,
    authorized,
    csrfRefused,
    csrfFor: (session: ConsoleSession) => o.csrf.token(`console:${session.uid}`),
    adminFor: (session: ConsoleSession) => o.admin({ kind: 'account', accountId: session.accountId }),
    isForbidden: (err: unknown) => err instanceof AdminError && err.code === 'admin.forbidden',
    /** The page for a refusal of the admin service (or a domain rule it applies); other errors are faults. */
    refusal(reply: FastifyReply, err: unknown) {
      const known = err instanceof AdminError ? refusals[err.code] : undefined;
      if (known) return page(reply, known.status, messagePage('console.title', known.message));
      if (err instanceof TesseraError && isMessageId(err.code)) {
        return page(reply, 400, messagePage('console.title', err.code));
      }
      throw err;
    },
  };
}

export type ConsoleKit = ReturnType<typeof createConsoleKit>;
