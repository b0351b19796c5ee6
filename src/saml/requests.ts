// Reading an incoming AuthnRequest: the guard first (size, inflating, no DTD), then samlify, which checks it
// against the SAML schema and verifies its signature with the certificate of the app's metadata, whenever the
// app must sign (AuthnRequestsSigned) or signed anyway. Then what Tessera checks itself: a known app, an
// assertion consumer URL from its metadata.
import * as samlify from 'samlify';
import { SamlError } from './errors.ts';
import { postMessage, redirectMessage, type MessageLimits } from './guard.ts';
import { bindings, type ConsumerService, type ServiceProvider } from './service-providers.ts';

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

const field = (xml: string, localPath: string[], attributes: string[]) =>
  samlify.Extractor.extract(xml, [{ key: 'v', localPath, attributes }]).v as unknown;

/** The Issuer of the message, read before anything is trusted: it names the app whose certificate verifies it. */
export function issuerOf(xml: string): string {
  const issuer = field(xml, ['AuthnRequest', 'Issuer'], []);
  if (typeof issuer !== 'string' || issuer === '') throw new SamlError('saml.malformed');
  return issuer.trim();
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

export async function readAuthnRequest(
  message: IncomingMessage,
  xml: string,
  sp: ServiceProvider,
  idp: { checking: samlify.IdentityProviderInstance; lenient: samlify.IdentityProviderInstance },
): Promise<AuthnRequestSeen> {
  const signed =
    message.binding === 'redirect' ? message.query.Signature !== undefined : /<(\w+:)?Signature[\s>]/.test(xml);
  if (sp.authnRequestsSigned && !signed) throw new SamlError('saml.signature_required');
  const request =
    message.binding === 'redirect'
      ? { query: message.query, octetString: signedOctets(message.rawQuery) }
      : // samlify reads the POST body itself: it gets the message as checked (inflated, if the SP deflated it).
        { body: { ...message.body, SAMLRequest: Buffer.from(xml, 'utf8').toString('base64') } };
  let parsed: Awaited<ReturnType<samlify.IdentityProviderInstance['parseLoginRequest']>>;
  try {
    parsed = await (signed ? idp.checking : idp.lenient).parseLoginRequest(sp.entity, message.binding, request);
  } catch (err) {
    throw samlifyFailure(err);
  }
  // What was verified is what is read: samlify hands back the verified message.
  const verified = parsed.samlContent;
  const attrs = field(
    verified,
    ['AuthnRequest'],
    [
      'ID',
      'AssertionConsumerServiceURL',
      'AssertionConsumerServiceIndex',
      'ProtocolBinding',
      'ForceAuthn',
      'IsPassive',
    ],
  ) as Record<string, string | undefined> | undefined;
  // samlify names the attributes it reads in camel case.
  if (!attrs?.id) throw new SamlError('saml.malformed');
  if (attrs.protocolBinding !== undefined && attrs.protocolBinding !== bindings.post) {
    throw new SamlError('saml.acs_not_registered');
  }
  const consumer = chooseConsumer(sp, attrs.assertionConsumerServiceUrl, attrs.assertionConsumerServiceIndex);
  const classRefs = field(verified, ['AuthnRequest', 'RequestedAuthnContext', 'AuthnContextClassRef'], []);
  const relayState = message.binding === 'redirect' ? message.query.RelayState : message.body.RelayState;
  return {
    id: attrs.id,
    issuer: issuerOf(verified),
    acsUrl: consumer.location,
    forceAuthn: attrs.forceAuthn === 'true' || attrs.forceAuthn === '1',
    isPassive: attrs.isPassive === 'true' || attrs.isPassive === '1',
    requestedClassRefs: (Array.isArray(classRefs) ? classRefs : classRefs ? [classRefs] : []).map(String),
    relayState,
  };
}
