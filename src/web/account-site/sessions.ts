// The person's sessions and apps: end one session (this one signs out), end them all, remove an app's access.
import type { FastifyInstance } from 'fastify';
import { messagePage } from '../pages/account-pages.ts';
import { bodySchema, page, type AccountKit, type Body } from './kit.ts';

// oidc-provider's end_session success page: "You are signed out" (provider-pages.ts).
const signedOutPath = '/oidc/session/end/success';

const paramsOf = (name: string, maxLength: number) =>
  ({ type: 'object', properties: { [name]: { type: 'string', maxLength } }, required: [name] }) as const;

export function registerSessions(app: FastifyInstance, kit: AccountKit): void {
  const o = kit.options;

  app.post<{ Params: { uid: string }; Body: Body }>(
    '/account/sessions/:uid/end',
    {
      schema: { ...bodySchema, params: paramsOf('uid', 64) },
    },
    async (req, reply) => {
      const session = await kit.authorized(req, reply);
      if (!session) return;
      const ended = await o.sessions.end(session.accountId, req.params.uid);
      const own = req.params.uid === session.uid;
      // That session's SAML apps are told through this browser first (only a session of this account ended).
      const first = ended
        ? await o.afterSessionEnded?.(session.accountId, req.params.uid, own ? '/' : '/account')
        : undefined;
      if (first) return reply.redirect(first, 303);
      if (own) return reply.redirect('/', 303);
      return kit.renderAccount(reply, session, { notice: { id: 'account.session_ended' } });
    },
  );

  app.post<{ Body: Body }>('/account/sessions/end-all', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return;
    await o.sessions.endAll(session.accountId);
    // The SAML apps are told through the browser, then it comes to the provider's "signed out" page.
    const first = await o.afterSignOutEverywhere?.(session.accountId, signedOutPath);
    if (first) return reply.redirect(first, 303);
    return page(reply, 200, messagePage('logout.done_title', 'logout.done'));
  });

  app.post<{ Params: { clientId: string }; Body: Body }>(
    '/account/apps/:clientId/revoke',
    {
      schema: { ...bodySchema, params: paramsOf('clientId', 100) },
    },
    async (req, reply) => {
      const session = await kit.authorized(req, reply);
      if (!session) return;
      await o.sessions.revokeApp(session.accountId, req.params.clientId);
      return kit.renderAccount(reply, session, { notice: { id: 'account.app_revoked' } });
    },
  );
}
