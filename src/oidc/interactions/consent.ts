// Consent for a third-party app (the company's own apps have none: src/oidc/provider.ts), and "Cancel and go back",
// which answers the app access_denied (src/oidc/error-map.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { consentPage, messagePage } from '../../web/index.ts';
import { oauthError } from '../error-map.ts';
import { formSchema, sendHtml, type Details, type InteractionKit, type UidRoute } from './kit.ts';

export async function showConsent(kit: InteractionKit, reply: FastifyReply, details: Details) {
  const { uid } = details;
  const client = await kit.options.provider.Client.find(kit.appId(details));
  const metadata: Record<string, unknown> = client?.metadata() ?? {};
  return sendHtml(
    reply,
    200,
    consentPage({
      action: `/interaction/${uid}/consent`,
      denyAction: `/interaction/${uid}/abort`,
      csrf: kit.csrfFor(uid),
      appName: await kit.appName(details),
      logoUri: metadata.logo_uri as string | undefined,
      policyUri: metadata.policy_uri as string | undefined,
      tosUri: metadata.tos_uri as string | undefined,
      scopes: String(details.params.scope ?? '').split(' '),
    }),
  );
}

export function registerConsent(app: FastifyInstance, kit: InteractionKit): void {
  const { provider } = kit.options;

  app.post<UidRoute>('/interaction/:uid/consent', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    const { prompt, params, session, grantId } = details;
    if (prompt.name !== 'consent' || !session) {
      return sendHtml(reply, 400, messagePage('error.title', 'web.bad_request'));
    }
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    if (!grant) return sendHtml(reply, 400, messagePage('error.title', 'web.interaction_expired'));
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    await kit.finish(details, reply, { consent: { grantId: await grant.save() } });
  });

  app.post<UidRoute>('/interaction/:uid/abort', { schema: formSchema }, async (req, reply) => {
    const details = await kit.loadForPost(req, reply);
    if (!details) return;
    await kit.finish(details, reply, oauthError('signin.cancelled'));
  });
}
