// Reading an incoming AuthnRequest: the guard first (size, inflating, no DTD, no comment), then its structure
// (structure.ts), then samlify verifies its signature with the certificate of the app's metadata whenever the app
// must sign (AuthnRequestsSigned) or signed anyway. Then what Tessera checks itself: a known app, an assertion
// consumer URL from its metadata.
import type * as samlify from 'samlify';
import { SamlError } from './errors.ts';
import { postMessage, redirectMessage, type MessageLimits } from './guard.ts';
import { bindings, type ConsumerService, type ServiceProvider } from './service-providers.ts';
import { readMessage, StructureError, type CheckedMessage } from './structure.ts';

export interface IncomingRedirect {
  binding: 'redirect';
  query: Record<string, string | undefined>;
  /** The raw query string as the browser sent it: the Redirect binding signs its bytes (SAML bindings §3.4.4.1). */
  rawQuery: string;
}
export interface IncomingPost {
  binding: 'post';
  body: Record<string, string | undefined>;
}
export type IncomingMessage = IncomingRedirect | IncomingPost;

export interface AuthnRequestSeen {
  id: string;
  issuer: string;
  acsUrl: string;
  forceAuthn: boolean;
  isPassive: boolean;
  requestedClassRefs: string[];
  relayState: string | undefined;
}

/** The message read once its structure is checked; a message that is not well formed or not the schema's is refused. */
export function readChecked(xml: string): CheckedMessage {
  try {
    return readMessage(xml);
  } catch (err) {
    if (err instanceof StructureError) throw new SamlError('saml.malformed', { message: err.message });
    throw err;
  }
}

/** The Issuer of the message, read before anything is trusted: it names the app whose certificate verifies it. */
export function issuerOf(message: CheckedMessage): string {
  const [issuer] = message.texts('assertion', 'Issuer');
  if (!issuer) throw new SamlError('saml.malformed', { message: 'no Issuer' });
  return issuer;
}

export function messageXml(message: IncomingMessage, limits: MessageLimits): string {
  return message.binding === 'redirect'
    ? redirectMessage(message.query.SAMLRequest, limits)
    : postMessage(message.body.SAMLRequest, limits);
}

/** The octet string a Redirect-binding signature covers: the three parameters as sent, in this order. */
export function signedOctets(rawQuery: string, kind: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest'): string {
  const parts = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (parts.has(name)) throw new SamlError('saml.malformed');
    parts.set(name, pair);
  }
  return [kind, 'RelayState', 'SigAlg']
    .map((n) => parts.get(n))
    .filter((p) => p !== undefined)
    .join('&');
}

const signatureErrors = new Set([
  'ERR_FAILED_MESSAGE_SIGNATURE_VERIFICATION',
  'ERR_FAIL_TO_VERIFY_ETS_SIGNATURE',
  'ERR_POTENTIAL_WRAPPING_ATTACK',
  'ERR_ZERO_SIGNATURE',
  'ERR_MULTIPLE_SIGNATURE',
]);

export function samlifyFailure(err: unknown): SamlError {
  const message = err instanceof Error ? err.message : String(err);
  if (message === 'ERR_MISSING_SIG_ALG') return new SamlError('saml.signature_required');
  if (signatureErrors.has(message) || /signature/i.test(message)) {
    return new SamlError('saml.signature_invalid', { message });
  }
  return new SamlError('saml.malformed', { message });
}

function chooseConsumer(sp: ServiceProvider, asked: string | undefined, index: string | undefined): ConsumerService {
  if (asked !== undefined && asked !== '') {
    const found = sp.consumers.find((c) => c.location === asked);
    if (!found) throw new SamlError('saml.acs_not_registered');
    return found;
  }
  if (index !== undefined && index !== '') {
    const found = sp.consumers.find((c) => c.index === Number(index));
    if (!found) throw new SamlError('saml.acs_not_registered');
    return found;
  }
  return sp.consumers.find((c) => c.isDefault) ?? sp.consumers[0]!;
}

/**
 * A signed request is verified by samlify with the certificate of the app's metadata (Redirect: over the query
 * string; POST: the enveloped signature); what is read afterwards is the text samlify verified, which must be the
 * text Tessera checked.
 */
async function verifyRequest(
  message: IncomingMessage,
  xml: string,
  sp: ServiceProvider,
  idp: samlify.IdentityProviderInstance,
): Promise<void> {
  const request =
    message.binding === 'redirect'
      ? { query: message.query, octetString: signedOctets(message.rawQuery) }
      : // samlify reads the POST body itself: it gets the message as checked (inflated, if the SP deflated it).
        { body: { ...message.body, SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') } };
  let parsed: Awaited<ReturnType<samlify.IdentityProviderInstance['parseLoginRequest']>>;
  try {
    parsed = await idp.parseLoginRequest(sp.entity, message.binding, request);
  } catch (err) {
    throw samlifyFailure(err);
  }
  if (parsed.samlContent !== xml) throw new SamlError('saml.signature_invalid', { message: 'verified another text' });
}

const flag = (v: string | undefined) => v === 'true' || v === '1';

export async function readAuthnRequest(
  message: IncomingMessage,
  xml: string,
  checked: CheckedMessage,
  sp: ServiceProvider,
  idp: { checking: samlify.IdentityProviderInstance },
): Promise<AuthnRequestSeen> {
  if (checked.name !== 'AuthnRequest') throw new SamlError('saml.malformed', { message: `a ${checked.name}` });
  const signed =
    message.binding === 'redirect' ? message.query.Signature !== undefined : /<(\w+:)?Signature[\s>]/.test(xml);
  if (sp.authnRequestsSigned && !signed) throw new SamlError('saml.signature_required');
  // An unsigned request has nothing to verify: its checked structure is all there is to it.
  if (signed) await verifyRequest(message, xml, sp, idp.checking);
  const id = checked.attribute('ID')!;
  const binding = checked.attribute('ProtocolBinding');
  if (binding !== undefined && binding !== bindings.post) throw new SamlError('saml.acs_not_registered');
  const consumer = chooseConsumer(
    sp,
    checked.attribute('AssertionConsumerServiceURL'),
    checked.attribute('AssertionConsumerServiceIndex'),
  );
  return {
    id,
    issuer: issuerOf(checked),
    acsUrl: consumer.location,
    forceAuthn: flag(checked.attribute('ForceAuthn')),
    isPassive: flag(checked.attribute('IsPassive')),
    requestedClassRefs: checked.texts('assertion', 'AuthnContextClassRef'),
    relayState: message.binding === 'redirect' ? message.query.RelayState : message.body.RelayState,
  };
}
