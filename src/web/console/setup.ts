// The first administrator's one-time link (`npm start`'s demo prints it): the account it was made for chooses a
// password, then signs in to the console as everyone does — the sign-in registers their authenticator app (QR code and
// first code), since the console always asks for one. The link is single use (of parallel uses exactly one sets the
// password), expires, and only an account that holds a console role can be set up with it. Its token is the form's
// secret: a page elsewhere cannot post for it.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { IdentityError } from '../../identity/index.ts';
import { t, type MessageId } from '../../i18n/index.ts';
import { formError } from '../error-map.ts';
import { messagePage } from '../pages/account-pages.ts';
import { consoleSetupPage } from '../pages/console-setup-pages.ts';
import { html } from '../pages/html.ts';
import type { Body, ConsoleKit } from './kit.ts';

const refusals: Record<'used' | 'expired' | 'invalid', { status: number; message: MessageId }> = {
  used: { status: 410, message: 'console.setup_used' },
  expired: { status: 410, message: 'console.setup_expired' },
  invalid: { status: 404, message: 'console.setup_invalid' },
};
const tokenSchema = { type: 'string', maxLength: 100 } as const;

export function registerConsoleSetup(app: FastifyInstance, kit: ConsoleKit): void {
  const links = kit.options.setupLinks;

  /** The account a usable link was made for, named as the console names operators; else the refusal to show. */
  async function accountOf(token: unknown): Promise<{ name: string } | { refused: keyof typeof refusals }> {
    const link = await links.stateOf(token, 'setup');
    if (link.state !== 'valid') return { refused: link.state };
    try {
      // Only an operator of the console: roles.mine is refused to an account without a role.
      const { name } = await kit.options.admin({ kind: 'account', accountId: link.accountId }).roles.mine();
      return { name };
    } catch (err) {
      if (kit.isForbidden(err)) return { refused: 'invalid' };
      throw err;
    }
  }
  const refuse = (reply: FastifyReply, why: keyof typeof refusals) =>
    kit.page(reply, refusals[why].status, messagePage('console.setup_title', refusals[why].message));

  app.get<{ Querystring: { token?: string } }>(
    '/console/setup',
    { schema: { querystring: { type: 'object', properties: { token: tokenSchema } } } },
    async (req, reply) => {
      const token = req.query.token ?? '';
      const account = await accountOf(token);
      if ('refused' in account) return refuse(reply, account.refused);
      const passwordMinLength = await links.passwordMinLength(token, 'setup');
      return kit.page(reply, 200, consoleSetupPage({ token, account: account.name, passwordMinLength }));
    },
  );

  app.post<{ Body: Body }>(
    '/console/setup',
    {
      schema: {
        body: { type: 'object', properties: { token: tokenSchema, password: { type: 'string', maxLength: 1024 } } },
      },
    },
    async (req, reply) => {
      const token = req.body.token ?? '';
      const account = await accountOf(token);
      if ('refused' in account) return refuse(reply, account.refused);
      try {
        await links.complete(token, req.body.password, 'setup');
      } catch (err) {
        if (!(err instanceof IdentityError)) throw err;
        // Spent by a parallel use, or expired meanwhile: say which.
        if (err.code === 'identity.verification_invalid') {
          const now = await links.stateOf(token, 'setup');
          return refuse(reply, now.state === 'valid' ? 'used' : now.state);
        }
        const passwordMinLength = await links.passwordMinLength(token, 'setup');
        const errors = [{ ...formError(err), field: 'password' }];
        return kit.page(reply, 400, consoleSetupPage({ token, account: account.name, passwordMinLength, errors }));
      }
      // The console's own sign-in next: the password just chosen, then the authenticator app's registration.
      const signIn = html`<p><a class="button" href="/console/login">${t('console.setup_sign_in')}</a></p>`;
      return kit.page(
        reply,
        200,
        messagePage('console.setup_title', 'console.setup_done', signIn, { account: account.name }),
      );
    },
  );
}
