// Web SSO over the one sign-in (src/signin through the OIDC provider's interactions): an AuthnRequest becomes an
// authorization request of the app's own OIDC client (`saml:<entity ID>`), so the sign-in pages, the SSO session,
// the step-up to a code and the app's OTP policy (`policy set --app saml:<entity ID>`) are the ones every app has.
// The authorization code that comes back is redeemed here, bound by PKCE to the stored request, and answered with
// a signed assertion posted to the app.
import { createHash, randomBytes } from 'node:crypto';
import type * as samlify from 'samlify';
import type { Clock } from '../clock/index.ts';
import type { Account } from '../identity/index.ts';
import { SamlError } from './errors.ts';
import type { MessageLimits } from './guard.ts';
import type { KeyRing } from './keys.ts';
import {
  attributesFor,
  classRefFor,
  nameIdFor,
  releasesDirectoryDetails,
  requestsMfa,
  requestsOnlyUndoable,
  type DirectoryDetails,
} from './claims.ts';
import { readAuthnRequest, issuerOf, messageXml, readChecked, type IncomingMessage } from './requests.ts';
import {
  buildAssertion,
  buildErrorResponse,
  buildResponse,
  newId,
  statusCodes,
  type ResponseInput,
} from './response.ts';
import { buildSaml11Assertion, saml11 } from './saml11.ts';
import { requestSecurityTokenResponse } from './wsfed.ts';
import { samlClientId, type ServiceProvider, type ServiceProviders } from './service-providers.ts';
import type { PendingRequest, SamlStore } from './store.ts';

/** What an authorization code proved, as the OIDC provider stored it. */
export interface RedeemedCode {
  clientId: string;
  accountId: string;
  amr: string[];
  authTimeSeconds: number;
  sessionUid: string;
  codeChallenge: string;
  redirectUri: string;
}

/** The SSO session the browser holds (the OIDC provider's), as the fast path reads it. */
export interface BrowserSession {
  uid: string;
  accountId: string;
  amr: string[];
  /** Seconds since the epoch of the sign-in. */
  loginTs: number;
  /** The OIDC clients signed in to in this session (a SAML app's is `saml:<entity ID>`). */
  apps: string[];
  /** Counts this use of the session (its idle limit starts again; never past the absolute one). */
  touch(): Promise<void>;
}

export interface SsoPorts {
  store: SamlStore;
  providers: ServiceProviders;
  keys: KeyRing;
  clock: Clock;
  idp: { checking: samlify.IdentityProviderInstance; lenient: samlify.IdentityProviderInstance };
  /** Finds and spends an authorization code (once); undefined when unknown, expired or spent. */
  redeemCode(code: string): Promise<RedeemedCode | undefined>;
  findAccount(id: string): Promise<Account | undefined>;
  /**
   * Given name, surname and employee ID of a workforce person from the directory; null for a customer account, and
   * when the directory does not answer (the assertion then goes without them: an outage never blocks a sign-in).
   */
  directoryDetails(account: Account): Promise<DirectoryDetails | null>;
  /** Whether this person still owes this app a one-time code (the sign-in flow decides, from the policy). */
  needsSecondFactor(appId: string, accountId: string, amr: readonly string[], requestedMfa: boolean): Promise<boolean>;
  /** Keys the pairwise persistent NameID. */
  pairwiseKey: Buffer;
  issuer: string;
  limits: MessageLimits;
  requestTtlSeconds: number;
  assertionSeconds: number;
}

export const resumePath = '/saml/resume';

/** The form the browser posts to the app: a SAML Response (HTTP-POST binding) or a WS-Federation token. */
export interface PostToApp {
  action: string;
  fields: Record<string, string | undefined>;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function authorizeUrl(p: SsoPorts, pending: PendingRequest, passive = false): string {
  const params = new URLSearchParams({
    client_id: samlClientId(pending.spEntityId),
    response_type: 'code',
    redirect_uri: `${p.issuer}${resumePath}`,
    scope: 'openid',
    state: pending.id,
    code_challenge: s256(pending.codeVerifier),
    code_challenge_method: 'S256',
  });
  // ForceAuthn (SAML core §3.4.1): a fresh sign-in, whatever the session holds.
  if (pending.forceAuthn) params.set('prompt', 'login');
  // IsPassive (SAML core §3.4.1): no page may be shown; without a session the answer is NoPassive (resume()).
  if (passive) params.set('prompt', 'none');
  if (pending.requestedMfa) params.set('acr_values', 'urn:tessera:mfa');
  return `${p.issuer}/oidc/auth?${params}`;
}

async function answerFor(
  p: SsoPorts,
  idpEntityId: string,
  pending: PendingRequest,
  sp: ServiceProvider,
  redeemed: RedeemedCode,
): Promise<PostToApp> {
  const account = await p.findAccount(redeemed.accountId);
  if (account?.status !== 'active') throw new SamlError('saml.request_expired');
  const key = (await p.keys.load()).current;
  const name = nameIdFor(account, sp, p.pairwiseKey);
  const now = new Date(p.clock.now());
  // One SessionIndex per app and SSO session: a second sign-in to the app in the session keeps the first's.
  const known = await p.store.participant(redeemed.sessionUid, sp.entityId);
  const sessionIndex = known && known.nameId === name.value ? known.sessionIndex : newId();
  const input: ResponseInput = {
    issuer: idpEntityId,
    audience: sp.entityId,
    acsUrl: pending.acsUrl,
    inResponseTo: solicited(pending) ? pending.requestId : undefined,
    nameId: name.value,
    nameIdFormat: name.format,
    sessionIndex,
    authnInstant: new Date(redeemed.authTimeSeconds * 1000),
    now,
    validSeconds: p.assertionSeconds,
    classRef: classRefFor(redeemed.amr, sp),
    attributes: attributesFor(account, sp, releasesDirectoryDetails(sp) ? await p.directoryDetails(account) : null),
    key,
    signResponse: sp.settings.signResponse,
    encryptTo: encryptionFor(sp),
  };
  if (known?.sessionIndex !== sessionIndex) {
    await p.store.saveParticipant({
      sessionUid: redeemed.sessionUid,
      spEntityId: sp.entityId,
      accountId: account.id,
      nameId: name.value,
      nameIdFormat: name.format,
      sessionIndex,
      createdAt: now.getTime(),
    });
  }
  if (isWsFed(pending)) {
    const token =
      sp.settings.wsfedToken === 'saml1.1'
        ? { xml: buildSaml11Assertion(input, newId()), type: saml11.tokenType }
        : { xml: buildAssertion(input), type: 'urn:oasis:names:tc:SAML:2.0:assertion' };
    const wresult = requestSecurityTokenResponse(token.xml, token.type, sp.entityId, now, p.assertionSeconds);
    return { action: pending.acsUrl, fields: { wa: 'wsignin1.0', wresult, wctx: pending.relayState ?? undefined } };
  }
  const samlResponse = Buffer.from(buildResponse(input)).toString('base64');
  return {
    action: pending.acsUrl,
    fields: { SAMLResponse: samlResponse, RelayState: pending.relayState ?? undefined },
  };
}

/** The app's key and cipher when its settings ask for encrypted assertions (checked usable when it was added). */
function encryptionFor(sp: ServiceProvider): ResponseInput['encryptTo'] {
  if (sp.settings.encrypt === 'off') return undefined;
  if (!(sp.encryptionKey && 'asymmetricKeyType' in sp.encryptionKey)) throw new SamlError('saml.unknown_app');
  return { key: sp.encryptionKey, cipher: sp.settings.encrypt };
}

/** An answer to a request the app sent (not IdP-initiated, not WS-Federation): it carries InResponseTo. */
const solicited = (pending: PendingRequest) => !/^(idp|wsfed):/.test(pending.requestId);
const isWsFed = (pending: PendingRequest) => pending.requestId.startsWith('wsfed:');

/**
 * The person cancelled, or the sign-in failed: a SAML app hears so, signed, and nothing is asserted. WS-Federation
 * has no such answer: the person gets the error page.
 */
// What oidc-provider answers a prompt=none it cannot serve without a page: for SAML, NoPassive.
const passiveRefusals = new Set(['login_required', 'interaction_required', 'consent_required']);

async function refusalFor(p: SsoPorts, idpEntityId: string, pending: PendingRequest, now: number, error: unknown) {
  if (isWsFed(pending)) throw new SamlError('saml.request_expired');
  const key = (await p.keys.load()).current;
  const inResponseTo = solicited(pending) ? pending.requestId : undefined;
  const xml = buildErrorResponse(
    { issuer: idpEntityId, acsUrl: pending.acsUrl, inResponseTo, now: new Date(now), key },
    statusCodes.responder,
    error === 'no_authn_context'
      ? statusCodes.noAuthnContext
      : passiveRefusals.has(String(error))
        ? statusCodes.noPassive
        : statusCodes.authnFailed,
  );
  const fields = { SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: pending.relayState ?? undefined };
  return { action: pending.acsUrl, fields };
}

/**
 * The fast path of a person signed in to this app before in this SSO session: answered at once, without the round
 * trip through the OIDC authorization endpoint, when that trip would show no page either: no ForceAuthn, and the
 * app's policy (read now, as the provider's step-up check reads it) or the request asks for no code the session
 * has not proven.
 */
async function answersFromSession(p: SsoPorts, pending: PendingRequest, session: BrowserSession): Promise<boolean> {
  const clientId = samlClientId(pending.spEntityId);
  if (pending.forceAuthn || !session.apps.includes(clientId)) return false;
  return !(await p.needsSecondFactor(clientId, session.accountId, session.amr, pending.requestedMfa));
}

const sessionAsCode = (session: BrowserSession, sp: ServiceProvider): RedeemedCode => ({
  clientId: samlClientId(sp.entityId),
  accountId: session.accountId,
  amr: session.amr,
  authTimeSeconds: session.loginTs,
  sessionUid: session.uid,
  codeChallenge: '',
  redirectUri: '',
});

/** A request waiting for its sign-in: random handle and PKCE verifier, this app's consumer URL, the TTL. */
function newPending(
  p: SsoPorts,
  fields: Pick<PendingRequest, 'spEntityId' | 'requestId' | 'acsUrl' | 'relayState' | 'forceAuthn' | 'requestedMfa'>,
): PendingRequest {
  const now = p.clock.now();
  return {
    ...fields,
    id: randomBytes(24).toString('base64url'),
    codeVerifier: randomBytes(32).toString('base64url'),
    expiresAt: now + p.requestTtlSeconds * 1000,
    createdAt: now,
  };
}

/** `reply` when it is on the origin of one of the consumer URLs of the app `realm`. */
async function knownReturnUrl(p: SsoPorts, realm: string | undefined, reply: string): Promise<string | undefined> {
  const sp = realm ? await p.providers.find(realm) : undefined;
  let origin: string;
  try {
    origin = new URL(reply).origin;
  } catch {
    return undefined;
  }
  return sp?.consumers.some((c) => new URL(c.location).origin === origin) ? reply : undefined;
}

export function createSso(p: SsoPorts) {
  const idpEntityId = `${p.issuer}/saml/metadata`;
  async function appFor(entityId: string): Promise<ServiceProvider> {
    const sp = await p.providers.find(entityId);
    if (!sp) throw new SamlError('saml.unknown_app');
    return sp;
  }

  return {
    idpEntityId,
    idp: p.idp,
    /** Reads and checks an AuthnRequest, stores it, and says where the sign-in continues. */
    async receive(
      message: IncomingMessage,
      session?: BrowserSession,
    ): Promise<{ location: string } | { answer: PostToApp }> {
      const xml = messageXml(message, p.limits);
      const checked = readChecked(xml);
      const sp = await appFor(issuerOf(checked));
      const seen = await readAuthnRequest(message, xml, checked, sp, p.idp);
      const pending = newPending(p, {
        spEntityId: sp.entityId,
        requestId: seen.id,
        acsUrl: seen.acsUrl,
        relayState: seen.relayState ?? null,
        forceAuthn: seen.forceAuthn,
        requestedMfa: requestsMfa(seen.requestedClassRefs),
      });
      // One answer per request ID and app, on every node: a replayed AuthnRequest gets none (checklist T37). One
      // answered at once is stored answered.
      const undoable = requestsOnlyUndoable(seen.requestedClassRefs);
      const atOnce = undoable || (session !== undefined && (await answersFromSession(p, pending, session)));
      if (!(await p.store.insertRequest(pending, atOnce ? pending.createdAt : undefined))) {
        throw new SamlError('saml.replayed');
      }
      // SAML core §3.3.2.2.1: what the app asks cannot be done here; it is told so, signed, at once.
      if (undoable) return { answer: await refusalFor(p, idpEntityId, pending, pending.createdAt, 'no_authn_context') };
      if (!atOnce) return { location: authorizeUrl(p, pending, seen.isPassive) };
      await session!.touch();
      return { answer: await answerFor(p, idpEntityId, pending, sp, sessionAsCode(session!, sp)) };
    },

    /**
     * IdP-initiated sign-in (SAML profiles §4.1.5, "unsolicited"): a link on the intranet signs the person in and
     * posts an assertion to the app's default ACS with the relay state configured for it (no InResponseTo).
     */
    async start(entityId: string): Promise<{ location: string }> {
      const sp = await appFor(entityId);
      const consumer = sp.consumers.find((c) => c.isDefault) ?? sp.consumers[0]!;
      const pending = newPending(p, {
        spEntityId: sp.entityId,
        requestId: `idp:${randomBytes(16).toString('base64url')}`,
        acsUrl: consumer.location,
        relayState: sp.settings.relayState ?? null,
        forceAuthn: false,
        requestedMfa: false,
      });
      await p.store.insertRequest(pending);
      return { location: authorizeUrl(p, pending) };
    },

    /**
     * WS-Federation passive sign-in (`wa=wsignin1.0`): the realm is an app added from its metadata, `wreply` one of
     * its consumer URLs (its default when absent); `wctx` comes back untouched.
     */
    async startWsFed(input: { realm: string; wreply?: string; wctx?: string }): Promise<{ location: string }> {
      const sp = await appFor(input.realm);
      const consumer = input.wreply
        ? sp.consumers.find((c) => c.location === input.wreply)
        : (sp.consumers.find((c) => c.isDefault) ?? sp.consumers[0]);
      if (!consumer) throw new SamlError('saml.acs_not_registered');
      const pending = newPending(p, {
        spEntityId: sp.entityId,
        requestId: `wsfed:${randomBytes(16).toString('base64url')}`,
        acsUrl: consumer.location,
        relayState: input.wctx ?? null,
        forceAuthn: false,
        requestedMfa: false,
      });
      await p.store.insertRequest(pending);
      return { location: authorizeUrl(p, pending) };
    },

    /** The sign-in came back (an authorization code, or an OIDC error): the signed answer to post to the app. */
    async resume(input: { state: unknown; code: unknown; error: unknown }): Promise<PostToApp> {
      const now = p.clock.now();
      const pending = typeof input.state === 'string' ? await p.store.findOpenRequest(input.state, now) : undefined;
      if (!pending) throw new SamlError('saml.request_expired');
      const sp = await appFor(pending.spEntityId);
      const redeemed = typeof input.code === 'string' ? await p.redeemCode(input.code) : undefined;
      const bound =
        redeemed !== undefined &&
        redeemed.clientId === samlClientId(sp.entityId) &&
        redeemed.redirectUri === `${p.issuer}${resumePath}` &&
        redeemed.codeChallenge === s256(pending.codeVerifier) &&
        // ForceAuthn: the sign-in must have happened after the request came (a second of clock rounding aside).
        (!pending.forceAuthn || redeemed.authTimeSeconds * 1000 >= pending.createdAt - 1000);
      if (!(await p.store.completeRequest(pending.id, now))) throw new SamlError('saml.request_expired');
      return bound
        ? answerFor(p, idpEntityId, pending, sp, redeemed)
        : refusalFor(p, idpEntityId, pending, now, input.error);
    },

    knownReturnUrl: (realm: string | undefined, reply: string) => knownReturnUrl(p, realm, reply),

    purge: () => p.store.purgeRequests(p.clock.now() - 24 * 3600 * 1000),
  };
}

export type Sso = ReturnType<typeof createSso>;
