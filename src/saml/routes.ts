// The IdP's HTTP endpoints: metadata, the SSO endpoint in both bindings, and the return from the sign-in. Each is
// a short list of steps; a SamlError becomes the page that names it (nothing is sent to an app that was not proven
// to be the one asking), anything else goes to the error handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage, samlPostPage, samlPostScript, samlPostScriptPath } from '../web/index.ts';
import { SamlError } from './errors.ts';
import type { KeyRing } from './keys.ts';
import { idpMetadata } from './metadata.ts';
import type { IncomingMessage } from './requests.ts';
import type { Outgoing } from './logout-messages.ts';
import { continuePath, type Slo } from './slo.ts';
import { resumePath, type BrowserSession, type PostToApp, type Sso } from './sso.ts';

export interface SamlRouteOptions {
  sso: Sso;
  slo: Slo;
  /** The SSO session this browser holds, if any (its session cookie). */
  browserSession(req: FastifyRequest, reply: FastifyReply): Promise<BrowserSession | undefined>;
  keys: KeyRing;
  issuer: string;
  /** Counts SSO answers by outcome (metrics). */
  onAnswer?: (outcome: 'success' | 'refused') => void;
}

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
// The guard (guard.ts) caps the decoded message; this only keeps absurd input from reaching it.
const messageFields = {
  SAMLRequest: text(200_000),
  RelayState: text(1024),
  SigAlg: text(256),
  Signature: text(2048),
};

const sendHtml = (reply: FastifyReply, status: number, body: string) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

function refusal(reply: FastifyReply, err: unknown) {
  if (!(err instanceof SamlError)) throw err;
  reply.log.info({ code: err.code, reason: err.message }, 'SAML request refused');
  return sendHtml(reply, err.code === 'saml.too_large' ? 413 : 400, messagePage('error.title', err.code));
}

function logoutAnswer(reply: FastifyReply, outgoing: Outgoing | undefined) {
  if (!outgoing) return sendHtml(reply, 200, messagePage('saml.signed_out_title', 'saml.signed_out'));
  if ('redirect' in outgoing) return reply.redirect(outgoing.redirect, 303);
  return sendHtml(reply, 200, samlPostPage(outgoing.post));
}

const postToApp = (reply: FastifyReply, answer: PostToApp) => sendHtml(reply, 200, samlPostPage(answer));

export function registerSamlRoutes(app: FastifyInstance, o: SamlRouteOptions): void {
  app.get('/saml/metadata', async (_req, reply) => {
    const keys = await o.keys.load({ fresh: true });
    const xml = idpMetadata({ entityId: o.sso.idpEntityId, issuer: o.issuer, keys });
    return reply.type('application/samlmetadata+xml').header('cache-control', 'public, max-age=300').send(xml);
  });

  app.get(samlPostScriptPath, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(samlPostScript),
  );

  const receive = async (message: IncomingMessage, req: FastifyRequest, reply: FastifyReply) => {
    try {
      const outcome = await o.sso.receive(message, await o.browserSession(req, reply));
      if ('location' in outcome) return reply.redirect(outcome.location, 303);
      o.onAnswer?.('success');
      return postToApp(reply, outcome.answer);
    } catch (err) {
      o.onAnswer?.('refused');
      return refusal(reply, err);
    }
  };

  app.get<{ Querystring: Record<string, string> }>(
    '/saml/sso',
    { schema: { querystring: { type: 'object', properties: messageFields, required: ['SAMLRequest'] } } },
    async (req, reply) => {
      const rawQuery = req.raw.url!.slice(req.raw.url!.indexOf('?') + 1);
      return receive({ binding: 'redirect', query: req.query, rawQuery }, req, reply);
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/saml/sso',
    { schema: { body: { type: 'object', properties: messageFields, required: ['SAMLRequest'] } } },
    async (req, reply) => receive({ binding: 'post', body: req.body }, req, reply),
  );

  const sloFields = { ...messageFields, SAMLResponse: text(200_000) };
  const logout = async (message: IncomingMessage, req: FastifyRequest, reply: FastifyReply) => {
    try {
      return logoutAnswer(reply, await o.slo.receive(message, (await o.browserSession(req, reply))?.uid));
    } catch (err) {
      return refusal(reply, err);
    }
  };
  app.get<{ Querystring: Record<string, string> }>(
    '/saml/slo',
    { schema: { querystring: { type: 'object', properties: sloFields } } },
    async (req, reply) => {
      const rawQuery = req.raw.url!.slice(req.raw.url!.indexOf('?') + 1);
      return logout({ binding: 'redirect', query: req.query, rawQuery }, req, reply);
    },
  );
  app.post<{ Body: Record<string, string> }>(
    '/saml/slo',
    { schema: { body: { type: 'object', properties: sloFields } } },
    async (req, reply) => logout({ binding: 'post', body: req.body }, req, reply),
  );

  // A logout started at Tessera's own pages, on its way through the SAML apps (slo.ts).
  app.get<{ Querystring: { logout: string } }>(
    continuePath,
    { schema: { querystring: { type: 'object', properties: { logout: text(64) }, required: ['logout'] } } },
    async (req, reply) => {
      try {
        return logoutAnswer(reply, await o.slo.proceed(req.query.logout));
      } catch (err) {
        return refusal(reply, err);
      }
    },
  );

  registerWsFed(app, o);

  // IdP-initiated: a link (the intranet's app list) starts a sign-in to the app and posts it an assertion.
  app.get<{ Querystring: { app: string } }>(
    '/saml/start',
    { schema: { querystring: { type: 'object', properties: { app: text(1024) }, required: ['app'] } } },
    async (req, reply) => {
      try {
        return reply.redirect((await o.sso.start(req.query.app)).location, 303);
      } catch (err) {
        return refusal(reply, err);
      }
    },
  );

  app.get<{ Querystring: Record<string, string> }>(
    resumePath,
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { state: text(64), code: text(256), error: text(64), iss: text(512) },
        },
      },
    },
    async (req, reply) => {
      try {
        const answer = await o.sso.resume({ state: req.query.state, code: req.query.code, error: req.query.error });
        o.onAnswer?.('success');
        return postToApp(reply, answer);
      } catch (err) {
        o.onAnswer?.('refused');
        return refusal(reply, err);
      }
    },
  );
}

interface WsFedQuery {
  wa: 'wsignin1.0' | 'wsignout1.0' | 'wsignoutcleanup1.0';
  wtrealm?: string;
  wreply?: string;
  wctx?: string;
}

/** WS-Federation passive (wsfed.ts): sign-in over the same SSO as SAML, and sign-out of the browser's session. */
function registerWsFed(app: FastifyInstance, o: SamlRouteOptions): void {
  const querystring = {
    type: 'object',
    properties: {
      wa: { type: 'string', enum: ['wsignin1.0', 'wsignout1.0', 'wsignoutcleanup1.0'] },
      wtrealm: text(1024),
      wreply: text(2048),
      wctx: text(1024),
      wct: text(64),
    },
    required: ['wa'],
  } as const;
  app.get<{ Querystring: WsFedQuery }>('/wsfed', { schema: { querystring } }, async (req, reply) => {
    const { wa, wtrealm, wreply, wctx } = req.query;
    try {
      if (wa === 'wsignin1.0') {
        if (!wtrealm) throw new SamlError('saml.unknown_app');
        return reply.redirect((await o.sso.startWsFed({ realm: wtrealm, wreply, wctx })).location, 303);
      }
      // Back to the app only at an address of an app added to Tessera (never an open redirect).
      const back = wreply ? await o.sso.knownReturnUrl(wtrealm, wreply) : undefined;
      const session = await o.browserSession(req, reply);
      if (session) return logoutAnswer(reply, await o.slo.endBrowserSession(session, back));
      if (back) return reply.redirect(back, 303);
      return sendHtml(reply, 200, messagePage('saml.signed_out_title', 'saml.signed_out'));
    } catch (err) {
      return refusal(reply, err);
    }
  });
}
