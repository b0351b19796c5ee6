// The signed SAML Response Tessera posts to an app: built from a fixed template in which every value is escaped
// (an attribute value carrying XML stays text), the assertion always signed with RSA-SHA256 (exclusive c14n,
// SHA-256 digest), the whole response too when the app asks. Audience, Recipient, Destination, NotOnOrAfter and
// InResponseTo are always set (checklist T35).
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { KeyObject } from 'node:crypto';
import { c14nText, element, signCanonical } from './canonical.ts';
import { type ContentCipher, encryptAssertion } from './encryption.ts';
import type { SigningKey } from './keys.ts';

export const algorithms = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

const ns = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
} as const;

export const statusCodes = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  noAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
} as const;

export interface Attribute {
  name: string;
  nameFormat: string;
  values: string[];
}

export interface ResponseInput {
  issuer: string;
  audience: string;
  acsUrl: string;
  /** Absent for an IdP-initiated sign-in. */
  inResponseTo?: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  authnInstant: Date;
  now: Date;
  /** How long the assertion may be presented (Conditions and SubjectConfirmationData NotOnOrAfter). */
  validSeconds: number;
  classRef: string;
  attributes: Attribute[];
  key: SigningKey;
  signResponse: boolean;
  /** The signed assertion is encrypted to this key (the app's encryption certificate) with this cipher. */
  encryptTo?: { key: KeyObject; cipher: ContentCipher };
}

// XML 1.0 §2.4 and §3.3.3: text and attribute values escaped; characters XML cannot carry at all are dropped.
const xmlText = (value: string) =>
  value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export const newId = () => `_${randomBytes(20).toString('hex')}`;
const instant = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

const saml = (name: string, attributes: Record<string, string | undefined>, content = '') =>
  element(`saml:${name}`, attributes, content);

function attributeStatement(attributes: Attribute[]): string {
  const kept = attributes.filter((a) => a.values.length > 0);
  if (kept.length === 0) return '';
  const items = kept
    .map((a) =>
      saml(
        'Attribute',
        { Name: a.name, NameFormat: a.nameFormat },
        a.values.map((v) => saml('AttributeValue', {}, c14nText(v))).join(''),
      ),
    )
    .join('');
  return saml('AttributeStatement', {}, items);
}

/** The assertion in canonical form (canonical.ts), and where its signature goes (after its Issuer). */
function assertionXml(r: ResponseInput, id: string): { xml: string; signatureAt: number } {
  const notOnOrAfter = instant(new Date(r.now.getTime() + r.validSeconds * 1000));
  const issuer = saml('Issuer', {}, c14nText(r.issuer));
  const subject = saml(
    'Subject',
    {},
    saml('NameID', { Format: r.nameIdFormat }, c14nText(r.nameId)) +
      saml(
        'SubjectConfirmation',
        { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' },
        saml('SubjectConfirmationData', {
          InResponseTo: r.inResponseTo,
          NotOnOrAfter: notOnOrAfter,
          Recipient: r.acsUrl,
        }),
      ),
  );
  const conditions = saml(
    'Conditions',
    { NotBefore: instant(new Date(r.now.getTime() - 60_000)), NotOnOrAfter: notOnOrAfter },
    saml('AudienceRestriction', {}, saml('Audience', {}, c14nText(r.audience))),
  );
  const authn = saml(
    'AuthnStatement',
    { AuthnInstant: instant(r.authnInstant), SessionIndex: r.sessionIndex },
    saml('AuthnContext', {}, saml('AuthnContextClassRef', {}, c14nText(r.classRef))),
  );
  const open = element(
    'saml:Assertion',
    { ID: id, IssueInstant: instant(r.now), Version: '2.0' },
    '',
    ` xmlns:saml="${ns.assertion}"`,
  );
  const head = open.slice(0, open.length - '</saml:Assertion>'.length) + issuer;
  return {
    xml: `${head}${subject}${conditions}${authn}${attributeStatement(r.attributes)}</saml:Assertion>`,
    signatureAt: head.length,
  };
}

/** Signs the element with this ID, the signature placed after its Issuer (SAML core §5.4.1: enveloped, by ID). */
export function signElement(xml: string, id: string, key: SigningKey): string {
  const signed = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificatePem,
    signatureAlgorithm: algorithms.rsaSha256,
    canonicalizationAlgorithm: algorithms.excC14n,
  });
  signed.addReference({
    xpath: `//*[@ID='${id}']`,
    digestAlgorithm: algorithms.sha256,
    transforms: [algorithms.enveloped, algorithms.excC14n],
  });
  signed.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signed.getSignedXml();
}

function responseXml(r: ResponseInput, id: string, status: string, inner: string): string {
  const inResponseTo = r.inResponseTo === undefined ? '' : ` InResponseTo="${xmlText(r.inResponseTo)}"`;
  return (
    `<samlp:Response xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" ID="${id}" Version="2.0" ` +
    `IssueInstant="${instant(r.now)}" Destination="${xmlText(r.acsUrl)}"${inResponseTo}>` +
    `<saml:Issuer>${xmlText(r.issuer)}</saml:Issuer>${status}${inner}</samlp:Response>`
  );
}

const successStatus = `<samlp:Status><samlp:StatusCode Value="${statusCodes.success}"/></samlp:Status>`;

/** A signed assertion on its own (WS-Federation carries it in a RequestSecurityTokenResponse). */
export function buildAssertion(r: ResponseInput): string {
  const id = newId();
  const { xml, signatureAt } = assertionXml(r, id);
  return signCanonical(xml, id, signatureAt, r.key);
}

/** The XML of a signed Response with one signed assertion. */
export function buildResponse(r: ResponseInput): string {
  const signed = buildAssertion(r);
  const assertion = r.encryptTo ? encryptAssertion(signed, r.encryptTo.key, r.encryptTo.cipher) : signed;
  const id = newId();
  const response = responseXml(r, id, successStatus, assertion);
  return r.signResponse ? signElement(response, id, r.key) : response;
}

/** A Response that says no (signed, so the app can trust the refusal): no assertion, only the status. */
export function buildErrorResponse(
  r: Pick<ResponseInput, 'issuer' | 'acsUrl' | 'inResponseTo' | 'now' | 'key'>,
  top: string,
  second?: string,
): string {
  const inner = second === undefined ? '' : `<samlp:StatusCode Value="${xmlText(second)}"/>`;
  const status = `<samlp:Status><samlp:StatusCode Value="${xmlText(top)}">${inner}</samlp:StatusCode></samlp:Status>`;
  const id = newId();
  const full = { ...r, audience: '', nameId: '', nameIdFormat: '', sessionIndex: '' } as ResponseInput;
  return signElement(responseXml(full, id, status, ''), id, r.key);
}
