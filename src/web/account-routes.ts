// Pages outside a sign-in interaction: the account site's home, confirming an e-mail by link, the demo mailbox.
import type { FastifyInstance } from 'fastify';
import { IdentityError, type AccountService } from '../identity/index.ts';
import { html } from './html.ts';
import { t } from './i18n/index.ts';
import { confirmLinkPage, messagePage } from './pages/account-pages.ts';
import { mailboxPage, type MailboxEntry } from './pages/mailbox-page.ts';

export interface AccountRouteOptions {
  accounts: AccountService;
  /** Present in demo mode only: the mail kept locally when no SMTP relay is configured. */
  mailbox?: () => Promise<MailboxEntry[]>;
}

export function registerAccountRoutes(app: FastifyInstance, o: AccountRouteOptions): void {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(messagePage('home.title', 'home.intro', html`
<p><a class="button" href="/account/login">${t('account.sign_in')}</a> <a class="button" href="/account/signup">${t('account.create')}</a></p>
${o.mailbox ? html`<p><a href="/dev/mailbox">${t('mailbox.title')}</a></p>` : ''}`)));

  // A GET only shows a button: mail scanners that open links must not spend the confirmation.
  app.get<{ Querystring: { token?: string } }>('/verify-email', {
    schema: { querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } },
  }, async (req, reply) => reply.type('text/html; charset=utf-8').send(confirmLinkPage({ action: '/verify-email', token: req.query.token ?? '' })));

  app.post<{ Body: { token?: string } }>('/verify-email', {
    schema: { body: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } },
  }, async (req, reply) => {
    try {
      const { interactionUid } = await o.accounts.confirmByToken(req.body?.token);
      if (interactionUid) return reply.redirect(`/interaction/${encodeURIComponent(interactionUid)}?confirmed=1`, 303);
      return reply.type('text/html; charset=utf-8').send(messagePage('verify.done_title', 'verify.done'));
    } catch (err) {
      if (!(err instanceof IdentityError)) throw err;
      return reply.code(400).type('text/html; charset=utf-8').send(messagePage('error.title', err.code));
    }
  });

  if (o.mailbox) {
    const mailbox = o.mailbox;
    app.get('/dev/mailbox', async (_req, reply) => reply.type('text/html; charset=utf-8').send(mailboxPage(await mailbox())));
  }
}
