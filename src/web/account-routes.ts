// Pages outside a sign-in interaction: the account site's home, confirming an e-mail by link, the demo mailbox.
import type { FastifyInstance } from 'fastify';
import { IdentityError, type AccountService } from '../identity/index.ts';
import { confirmLinkPage, confirmUnsubscribePage, homePage, messagePage } from './pages/account-pages.ts';
import { mailboxPage, type MailboxEntry } from './pages/mailbox-page.ts';
import { formError } from './error-map.ts';

export interface AccountRouteOptions {
  accounts: AccountService;
  /** One-click unsubscribe (RFC 8058): the signed token says whose consent ends. */
  unsubscribe(token: unknown): Promise<boolean>;
  /** Present in demo mode only: the mail kept locally when no SMTP relay is configured. */
  mailbox?: () => Promise<MailboxEntry[]>;
}

export function registerAccountRoutes(app: FastifyInstance, o: AccountRouteOptions): void {
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(homePage({ mailbox: o.mailbox !== undefined })),
  );

  // A GET only shows a button: mail scanners that open links must not spend the confirmation.
  app.get<{ Querystring: { token?: string } }>(
    '/verify-email',
    {
      schema: { querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } },
    },
    async (req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(confirmLinkPage({ action: '/verify-email', token: req.query.token ?? '' })),
  );

  app.post<{ Body: { token?: string } }>(
    '/verify-email',
    {
      schema: { body: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } },
    },
    async (req, reply) => {
      try {
        const { interactionUid } = await o.accounts.confirmByToken(req.body?.token);
        if (interactionUid)
          return reply.redirect(`/interaction/${encodeURIComponent(interactionUid)}?confirmed=1`, 303);
        return reply.type('text/html; charset=utf-8').send(messagePage('verify.done_title', 'verify.done'));
      } catch (err) {
        if (!(err instanceof IdentityError)) throw err;
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(messagePage('error.title', formError(err).message));
      }
    },
  );

  // GET shows a confirmation page (a person clicking the button in the mail); POST unsubscribes at once
  // (RFC 8058: the mail client's one-click POST carries `List-Unsubscribe=One-Click`). Repeating it changes nothing.
  const tokenQuery = {
    querystring: { type: 'object', properties: { t: { type: 'string', maxLength: 300 } } },
  } as const;
  app.get<{ Querystring: { t?: string } }>('/unsubscribe', { schema: tokenQuery }, async (req, reply) =>
    reply.type('text/html; charset=utf-8').send(confirmUnsubscribePage(req.query.t ?? '')),
  );
  app.post<{ Querystring: { t?: string }; Body: Record<string, string> }>(
    '/unsubscribe',
    { schema: tokenQuery },
    async (req, reply) => {
      const ok = await o.unsubscribe(req.query.t ?? req.body?.t);
      return reply
        .code(ok ? 200 : 400)
        .type('text/html; charset=utf-8')
        .send(
          ok ? messagePage('unsubscribe.title', 'unsubscribe.done') : messagePage('error.title', 'unsubscribe.invalid'),
        );
    },
  );

  if (o.mailbox) {
    const mailbox = o.mailbox;
    app.get('/dev/mailbox', async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(mailboxPage(await mailbox())),
    );
  }
}
