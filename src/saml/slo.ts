// Single Logout, front-channel (SAML profiles §4.4), joined with the SSO session: a LogoutRequest from one app
// ends the person's Tessera session (the OIDC apps in it get their back-channel logout), then every other SAML app
// of that session is sent a LogoutRequest in turn through the browser, and the app that asked gets its
// LogoutResponse last. Who is in which session, with which NameID and SessionIndex, is in the database, so any
// node can take any step.
import { randomBytes } from 'node:crypto';
import * as samlify from 'samlify';
import type { Clock } from '../clock/index.ts';
import { SamlError } from './errors.ts';
import { postMessage, redirectMessage, type MessageLimits } from './guard.ts';
import type { KeyRing } from './keys.ts';
import { logoutRequestXml, logoutResponseXml, send, type Outgoing } from './logout-messages.ts';
import { samlifyFailure, signedOctets, type IncomingMessage } from './requests.ts';
import { statusCodes } from './response.ts';
import type { ServiceProvider, ServiceProviders } from './service-providers.ts';
import type { PendingLogout, SamlStore } from './store.ts';

export interface SloPorts {
  store: SamlStore;
  providers: ServiceProviders;
  keys: KeyRing;
  clock: Clock;
  idp: { checking: samlify.IdentityProviderInstance; lenient: samlify.IdentityProviderInstance };
  /** Ends the SSO session (and tells its OIDC apps by back-channel logout). */
  endSession(accountId: string, sessionUid: string): Promise<void>;
  idpEntityId: string;
  limits: MessageLimits;
  logoutTtlSeconds: number;
}

type Kind = 'SAMLRequest' | 'SAMLResponse';

function incoming(message: IncomingMessage, limits: MessageLimits): { kind: Kind; xml: string } {
  const fields = message.binding === 'redirect' ? message.query : message.body;
  const kind: Kind = fields.SAMLRequest !== undefined ? 'SAMLRequest' : 'SAMLResponse';
  const encoded = fields[kind];
  const xml = message.binding === 'redirect' ? redirectMessage(encoded, limits) : postMessage(encoded, limits);
  return { kind, xml };
}

const text = (xml: string, path: string[]) => {
  const v = samlify.Extractor.extract(xml, [{ key: 'v', localPath: path, attributes: [] }]).v as unknown;
  return typeof v === 'string' ? v.trim() : undefined;
};

const isSigned = (message: IncomingMessage, xml: string) =>
  message.binding === 'redirect' ? message.query.Signature !== undefined : /<(\w+:)?Signature[\s>]/.test(xml);

async function verified(p: SloPorts, message: IncomingMessage, kind: Kind, xml: string, sp: ServiceProvider) {
  const signed = isSigned(message, xml);
  if (sp.signs && !signed) throw new SamlError('saml.signature_required');
  const request =
    message.binding === 'redirect'
      ? { query: message.query, octetString: signedOctets(message.rawQuery, kind) }
      : { body: { ...message.body, [kind]: Buffer.from(xml, 'utf8').toString('base64') } };
  const idp = signed ? p.idp.checking : p.idp.lenient;
  try {
    return kind === 'SAMLRequest'
      ? await idp.parseLogoutRequest(sp.entity, message.binding, request)
      : await idp.parseLogoutResponse(sp.entity, message.binding, request);
  } catch (err) {
    throw samlifyFailure(err);
  }
}

/** The endpoint an app takes logout messages at: the Redirect binding when it has one, else POST. */
const logoutEndpoint = (sp: ServiceProvider) =>
  sp.logoutServices.find((s) => s.binding.endsWith('HTTP-Redirect')) ?? sp.logoutServices[0];

async function appFor(p: SloPorts, entityId: string | undefined): Promise<ServiceProvider> {
  const sp = entityId === undefined ? undefined : await p.providers.find(entityId);
  if (!sp) throw new SamlError('saml.unknown_app');
  return sp;
}

/** Tells the next app of the session, or, when none is left, answers the app that asked. */
async function next(p: SloPorts, logout: PendingLogout): Promise<Outgoing | undefined> {
  const key = (await p.keys.load()).current;
  const now = new Date(p.clock.now());
  for (const participant of await p.store.participants(logout.sessionUid)) {
    // Removed before it is sent: a participant is told once, whichever node the browser comes back to.
    if (!(await p.store.removeParticipant(participant.sessionUid, participant.spEntityId))) continue;
    const sp = await p.providers.find(participant.spEntityId);
    const endpoint = sp && logoutEndpoint(sp);
    if (!endpoint) continue;
    const request = logoutRequestXml({
      issuer: p.idpEntityId,
      destination: endpoint.location,
      nameId: participant.nameId,
      nameIdFormat: participant.nameIdFormat,
      sessionIndex: participant.sessionIndex,
      now,
      validSeconds: p.logoutTtlSeconds,
    });
    return send('SAMLRequest', request, endpoint, logout.id, key);
  }
  if (!(await p.store.completeLogout(logout.id, now.getTime()))) throw new SamlError('saml.request_expired');
  // Started at Tessera (WS-Federation's wsignout1.0): back to where it was asked to return, checked when stored.
  if (!logout.requesterEntityId) return logout.responseUrl ? { redirect: logout.responseUrl } : undefined;
  if (!logout.requestId || !logout.responseUrl) return undefined;
  const requester = await p.providers.find(logout.requesterEntityId);
  const endpoint = requester && logoutEndpoint(requester);
  if (!endpoint) return undefined;
  const response = logoutResponseXml({
    issuer: p.idpEntityId,
    destination: endpoint.location,
    inResponseTo: logout.requestId,
    now,
    status: statusCodes.success,
  });
  return send('SAMLResponse', response, endpoint, logout.relayState ?? undefined, key);
}

/** Where the browser goes on with a logout Tessera started (the chain of apps to tell). */
export const continuePath = '/saml/slo/continue';

/**
 * Sessions Tessera's own pages ended (OIDC end_session, "sign out everywhere"): one pending logout per session
 * that has SAML apps, chained (each one's last step leads to the next), the last one's to `returnUrl`. The first
 * step's address, or undefined when no SAML app was in any of them.
 */
async function chainFor(
  p: SloPorts,
  accountId: string,
  sessionUids: string[],
  returnUrl: string,
): Promise<string | undefined> {
  const now = p.clock.now();
  let then = returnUrl;
  let first: string | undefined;
  for (const sessionUid of [...sessionUids].reverse()) {
    const participants = await p.store.participants(sessionUid);
    // Only this account's session is told about (a session is one person's; this holds it whatever the caller).
    if (participants.length === 0 || participants.some((x) => x.accountId !== accountId)) continue;
    const logout: PendingLogout = {
      id: randomBytes(24).toString('base64url'),
      sessionUid,
      requesterEntityId: null,
      requestId: null,
      responseUrl: then,
      relayState: null,
      expiresAt: now + p.logoutTtlSeconds * 1000,
      createdAt: now,
    };
    await p.store.insertLogout(logout);
    first = then = `${continuePath}?${new URLSearchParams({ logout: logout.id })}`;
  }
  return first;
}

export function createSlo(p: SloPorts) {
  async function onRequest(
    message: IncomingMessage,
    xml: string,
    browserSession: string | undefined,
  ): Promise<Outgoing | undefined> {
    const sp = await appFor(p, text(xml, ['LogoutRequest', 'Issuer']));
    const parsed = await verified(p, message, 'SAMLRequest', xml, sp);
    const requestId = (parsed.extract as { request?: { id?: string } }).request?.id;
    const nameId = text(parsed.samlContent, ['LogoutRequest', 'NameID']);
    const sessionIndex = text(parsed.samlContent, ['LogoutRequest', 'SessionIndex']);
    if (!requestId || !nameId || !sessionIndex) throw new SamlError('saml.malformed');
    const participant = await p.store.participantByIndex(sessionIndex);
    if (!participant || participant.spEntityId !== sp.entityId || participant.nameId !== nameId) {
      throw new SamlError('saml.request_expired', { message: 'no session with this SessionIndex and NameID' });
    }
    // An app without a signing key cannot prove it sent this: it ends only the session of the browser it came in.
    if (!isSigned(message, xml) && !sp.signs && browserSession !== participant.sessionUid) {
      throw new SamlError('saml.signature_required');
    }
    const now = p.clock.now();
    const endpoint = logoutEndpoint(sp);
    const logout: PendingLogout = {
      id: randomBytes(24).toString('base64url'),
      sessionUid: participant.sessionUid,
      requesterEntityId: sp.entityId,
      requestId,
      responseUrl: endpoint?.location ?? null,
      relayState: (message.binding === 'redirect' ? message.query.RelayState : message.body.RelayState) ?? null,
      expiresAt: now + p.logoutTtlSeconds * 1000,
      createdAt: now,
    };
    if (!(await p.store.insertLogout(logout))) throw new SamlError('saml.replayed');
    await p.store.removeParticipant(participant.sessionUid, sp.entityId);
    await p.endSession(participant.accountId, participant.sessionUid);
    return next(p, logout);
  }

  return {
    /** A LogoutRequest from an app, or an app's LogoutResponse on the way through: where the browser goes next. */
    async receive(message: IncomingMessage, browserSession: string | undefined): Promise<Outgoing | undefined> {
      const { kind, xml } = incoming(message, p.limits);
      if (kind === 'SAMLRequest') return onRequest(message, xml, browserSession);
      const relayState = message.binding === 'redirect' ? message.query.RelayState : message.body.RelayState;
      const logout = relayState ? await p.store.findOpenLogout(relayState, p.clock.now()) : undefined;
      if (!logout) throw new SamlError('saml.request_expired');
      await verified(p, message, 'SAMLResponse', xml, await appFor(p, text(xml, ['LogoutResponse', 'Issuer'])));
      return next(p, logout);
    },
    /**
     * Signing out at Tessera (WS-Federation `wsignout1.0`): the browser's session ends, its OIDC apps are told by
     * back-channel and its SAML apps in turn through the browser, as for a LogoutRequest; then to `returnUrl`.
     */
    async endBrowserSession(
      session: { uid: string; accountId: string },
      returnUrl: string | undefined,
    ): Promise<Outgoing | undefined> {
      const now = p.clock.now();
      const logout: PendingLogout = {
        id: randomBytes(24).toString('base64url'),
        sessionUid: session.uid,
        requesterEntityId: null,
        requestId: null,
        responseUrl: returnUrl ?? null,
        relayState: null,
        expiresAt: now + p.logoutTtlSeconds * 1000,
        createdAt: now,
      };
      await p.store.insertLogout(logout);
      await p.endSession(session.accountId, session.uid);
      return next(p, logout);
    },
    /**
     * A session was ended at Tessera's own pages (OIDC end_session, the account page's list of sessions): its SAML
     * apps are told in turn through the browser, then on to `returnUrl`. Undefined when it had no SAML app.
     */
    afterSessionEnded: (session: { uid: string; accountId: string }, returnUrl: string) =>
      chainFor(p, session.accountId, [session.uid], returnUrl),
    /** "Sign out everywhere" ended every session of the account: the SAML apps of all of them are told. */
    async afterAccountSignedOut(accountId: string, returnUrl: string): Promise<string | undefined> {
      return chainFor(p, accountId, await p.store.sessionsWithApps(accountId), returnUrl);
    },
    /** The next step of a logout Tessera started (continuePath). */
    async proceed(logoutId: string): Promise<Outgoing | undefined> {
      const logout = await p.store.findOpenLogout(logoutId, p.clock.now());
      if (!logout || logout.requesterEntityId !== null) throw new SamlError('saml.request_expired');
      return next(p, logout);
    },
    purge: () => p.store.purgeLogouts(p.clock.now() - 24 * 3600 * 1000),
  };
}

export type Slo = ReturnType<typeof createSlo>;
