// The account page's sign-in providers: link another (a trip to the provider from the signed-in session), unlink
// one (never the last way to sign in). Each form: authorized (session, CSRF) → act → the account page again.
import type { FastifyInstance } from 'fastify';
import { SocialError } from '../../social/index.ts';
import { startTrip } from '../social-trip.ts';
import { bodySchema, type AccountKit, type Body } from './kit.ts';

const providerParams = {
  type: 'object',
  properties: { provider: { type: 'string', pattern: '^[a-z]{1,32}$' } },
  required: ['provider'],
} as const;

export function registerAccountSocial(app: FastifyInstance, kit: AccountKit): void {
  const social = kit.options.social;
  if (!social) return;

  app.post<{ Body: Body; Params: { provider: string } }>(
    '/account/social/:provider/link',
    { schema: { ...bodySchema, params: providerParams } },
    async (req, reply) => {
      const session = await kit.authorized(req, reply);
      if (!session) return;
      // A new way into the account is added only shortly after a sign-in: someone holding a forgotten session
      // cannot add their own provider account to it and keep the account.
      if (!kit.signedInRecently(session)) return kit.refused(reply, session, new SocialError('social.signin_again'));
      const { accountId, uid } = session;
      const trip = { provider: req.params.provider, purpose: 'link', handle: uid, accountId, ip: req.ip } as const;
      return startTrip(reply, social, trip);
    },
  );

  // Where the provider's callback sends a link trip once checked (src/oidc/interactions/social.ts).
  app.get('/account/social/done', async (req, reply) => {
    const session = await kit.currentSession(req, reply);
    if (!session) return reply.redirect('/account/login', 303);
    try {
      const link = await social.service.linkFromAccount(session.uid, session.accountId);
      const provider = kit.providerName(link.provider);
      return kit.renderAccount(reply, session, { notice: { id: 'social.linked_done', params: { provider } } });
    } catch (err) {
      if (!(err instanceof SocialError)) throw err;
      return kit.refused(reply, session, err);
    }
  });

  app.post<{ Body: Body }>('/account/social/unlink', { schema: bodySchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return;
    const provider = String(req.body.provider ?? '');
    try {
      await social.service.unlink(session.accountId, provider, String(req.body.subject ?? ''));
    } catch (err) {
      return kit.refused(reply, session, err);
    }
    const params = { provider: kit.providerName(provider) };
    return kit.renderAccount(reply, session, { notice: { id: 'social.unlinked_done', params } });
  });
}
