// The SAML 1.1 assertion WS-Federation relying parties such as SharePoint expect (what ADFS sends them by
// default): issuer, audience and lifetime, the subject in an attribute statement and an authentication statement,
// the signature last (SAML 1.1 core §2.3.2, the XML-DSig profile of §5). Written in canonical form and signed as
// the SAML 2.0 assertion is (canonical.ts); its ID attribute is `AssertionID`.
import { c14nText, element, signCanonical } from './canonical.ts';
import type { ResponseInput } from './response.ts';

export const saml11 = {
  assertion: 'urn:oasis:names:tc:SAML:1.0:assertion',
  bearer: 'urn:oasis:names:tc:SAML:1.0:cm:bearer',
  password: 'urn:oasis:names:tc:SAML:1.0:am:password',
  /** WS-Trust's token type for it (WSS SAML Token Profile 1.1). */
  tokenType: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
} as const;

const instant = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');
const saml = (name: string, attributes: Record<string, string | undefined>, content = '') =>
  element(`saml:${name}`, attributes, content);

/** SAML 1.1 names an attribute by a namespace and a name: a claim URI is split at its last slash. */
function splitName(name: string): { AttributeName: string; AttributeNamespace: string } {
  const at = name.lastIndexOf('/');
  return at > 0
    ? { AttributeName: name.slice(at + 1), AttributeNamespace: name.slice(0, at) }
    : { AttributeName: name, AttributeNamespace: 'urn:tessera:attributes' };
}

export function buildSaml11Assertion(r: ResponseInput, id: string): string {
  const notOnOrAfter = instant(new Date(r.now.getTime() + r.validSeconds * 1000));
  const subject = saml(
    'Subject',
    {},
    saml('NameIdentifier', { Format: r.nameIdFormat }, c14nText(r.nameId)) +
      saml('SubjectConfirmation', {}, saml('ConfirmationMethod', {}, saml11.bearer)),
  );
  const conditions = saml(
    'Conditions',
    { NotBefore: instant(new Date(r.now.getTime() - 60_000)), NotOnOrAfter: notOnOrAfter },
    saml('AudienceRestrictionCondition', {}, saml('Audience', {}, c14nText(r.audience))),
  );
  const attributes = r.attributes
    .filter((a) => a.values.length > 0)
    .map((a) =>
      saml('Attribute', splitName(a.name), a.values.map((v) => saml('AttributeValue', {}, c14nText(v))).join('')),
    )
    .join('');
  const attributeStatement = attributes === '' ? '' : saml('AttributeStatement', {}, subject + attributes);
  const method = r.classRef.includes('PasswordProtectedTransport') ? saml11.password : r.classRef;
  const authn = saml(
    'AuthenticationStatement',
    { AuthenticationInstant: instant(r.authnInstant), AuthenticationMethod: method },
    subject,
  );
  const xml = element(
    'saml:Assertion',
    { AssertionID: id, IssueInstant: instant(r.now), Issuer: r.issuer, MajorVersion: '1', MinorVersion: '1' },
    conditions + attributeStatement + authn,
    ` xmlns:saml="${saml11.assertion}"`,
  );
  return signCanonical(xml, id, xml.length - '</saml:Assertion>'.length, r.key);
}
