// The person's own data: the account page, password, e-mail address (changed from a link, undone from the old
// address), marketing consent, the export, and deleting the account. Each form: authorized → act → the page again.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SocialError } from '../../social/index.ts';
import { messagePage } from '../pages/account-pages.ts';
import { accountNoticePage, tokenActionPage } from '../pages/account-site-pages.ts';
import { bodySchema, page, type AccountKit, type AccountSession, type Body } from './kit.ts';

export function registerProfile(app: FastifyInstance, kit: AccountKit): void {
  const o = kit.options;

  app.get('/account', async (req, reply) => {
    const session = await kit.currentSession(req, reply);
    return session ? kit.renderAccount(reply, session) : reply.redirect('/account/login', 303);
  });

  app.post<{ Body: Body }>('/account/password', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return;
    const { current_password: current, new_password: next } = req.body;
    try {
      await kit.withCurrentPassword(req, session, () => o.selfService.changePassword(session.accountId, current, next));
    } catch (err) {
      return kit.refused(reply, session, err, { password: 'new_password' });
    }
    // ASVS V7.4.3 / T24: a new password ends every other session.
    for (const other of await o.sessions.list(session.accountId)) {
      if (other.uid !== session.uid) await o.sessions.end(session.accountId, other.uid);
    }
    return kit.renderAccount(reply, session, { notice: { id: 'account.password_changed' } });
  });

  app.post<{ Body: Body }>('/account/email', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return;
    const { email_current_password: current, new_email: email } = req.body;
    try {
      const { newEmail } = await kit.withCurrentPassword(req, session, () =>
        o.selfService.startEmailChange(session.accountId, current, email),
      );
      return kit.renderAccount(reply, session, { notice: { id: 'account.email_sent', params: { email: newEmail } } });
    } catch (err) {
      return kit.refused(reply, session, err, { current_password: 'email_current_password', email: 'new_email' });
    }
  });

  registerEmailLinks(app, kit);

  app.post<{ Body: Body }>('/account/marketing', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return;
    await o.selfService.setMarketing(session.accountId, req.body.subscribed === 'on', 'account');
    return kit.renderAccount(reply, session, { notice: { id: 'account.marketing_saved' } });
  });

  app.get('/account/export', async (req, reply) => {
    const session = await kit.currentSession(req, reply);
    if (!session) return reply.redirect('/account/login', 303);
    const { accountId } = session;
    const data = {
      ...(await o.selfService.exportData(accountId)),
      sessions: await o.sessions.list(accountId),
      apps: await o.sessions.apps(accountId),
      // The sign-in providers linked to the account, by the provider's key (deleting the account removes them).
      socialLinks: (await o.social?.service.list(accountId)) ?? [],
    };
    return reply
      .header('content-disposition', 'attachment; filename="account.json"')
      .header('cache-control', 'no-store')
      .type('application/json')
      .send(JSON.stringify(data, null, 2));
  });

  app.post<{ Body: Body }>('/account/delete', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return;
    const account = await o.accounts.findAccount(session.accountId);
    if (account && account.passwordHash === null) return deleteWithoutPassword(kit, reply, session);
    const password = req.body.delete_current_password;
    try {
      await kit.withCurrentPassword(req, session, () => o.selfService.reauthenticate(session.accountId, password));
    } catch (err) {
      return kit.refused(reply, session, err, { current_password: 'delete_current_password' });
    }
    // Sessions end (with back-channel logout to the apps) before the account row goes.
    await o.sessions.endAll(session.accountId);
    await o.selfService.deleteAccount(session.accountId, password);
    return page(reply, 200, messagePage('account.delete', 'account.deleted'));
  });
}

// An account made with a social provider has no password to ask for: a sign-in within the last 10 minutes is the
// re-authentication instead (ASVS V7.5.1), as a provider's own "recent login" would be.
async function deleteWithoutPassword(kit: AccountKit, reply: FastifyReply, session: AccountSession) {
  const o = kit.options;
  if (!kit.signedInRecently(session)) {
    return kit.refused(reply, session, new SocialError('social.signin_again'));
  }
  await o.sessions.endAll(session.accountId);
  await o.selfService.deleteAccountWithoutPassword(session.accountId);
  return page(reply, 200, messagePage('account.delete', 'account.deleted'));
}

/** The links of an e-mail change: confirm at the new address, undo at the old one. */
function registerEmailLinks(app: FastifyInstance, kit: AccountKit): void {
  const o = kit.options;
  const links = [
    ['/account/email/confirm', 'account.email_confirm_title'],
    ['/account/email/undo', 'account.email_undo_title'],
  ] as const;
  const token = { type: 'string', maxLength: 100 } as const;
  const tokenQuery = { querystring: { type: 'object', properties: { token } } } as const;
  for (const [path, title] of links) {
    // A GET only shows a button, so a mail scanner opening the link changes nothing.
    app.get<{ Querystring: { token?: string } }>(path, { schema: tokenQuery }, async (req, reply) =>
      page(reply, 200, tokenActionPage(title, path, req.query.token ?? '')),
    );
  }

  app.post<{ Body: Body }>('/account/email/confirm', { schema: bodySchema }, async (req, reply) => {
    try {
      const account = await o.selfService.confirmEmailChange(req.body?.token);
      const email = { email: account.email ?? '' };
      return page(reply, 200, accountNoticePage('account.email_confirm_title', 'account.email_confirmed', email));
    } catch (err) {
      return page(reply, 400, messagePage('error.title', kit.fieldError(err).message));
    }
  });

  app.post<{ Body: Body }>('/account/email/undo', { schema: bodySchema }, async (req, reply) => {
    try {
      const account = await o.selfService.undoEmailChange(req.body?.token);
      await o.sessions.endAll(account.id);
      return page(reply, 200, accountNoticePage('account.email_undo_title', 'account.email_undone'));
    } catch (err) {
      return page(reply, 400, messagePage('error.title', kit.fieldError(err).message));
    }
  });
}
