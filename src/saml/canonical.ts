// The assertion written directly in its canonical form (Exclusive XML Canonicalization 1.0, W3C xml-exc-c14n):
// attributes in sorted order, each namespace declared on the first element that uses it, no empty-element tags,
// the canonical escapes. What is sent is then byte for byte what a verifier canonicalizes, so the digest is taken
// of the text itself and only SignedInfo is signed: no DOM, XPath or canonicalizer on the way (with xml-crypto an
// answer cost about 6 ms, most of it there). Verified in the tests by xmlsec1, node-saml and xml-crypto.
import { createHash, createSign } from 'node:crypto';
import { certificateBody } from './certificate.ts';
import type { SigningKey } from './keys.ts';

export const dsig = 'http://www.w3.org/2000/09/xmldsig#';
const algorithms = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

// Characters XML 1.0 cannot carry (§2.2) are dropped: no text Tessera sends may make the document unreadable.
const unrepresentable = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text content as C14N writes it (§2.3 of C14N 1.0): & < > escaped, carriage return as a reference. */
export const c14nText = (value: string) =>
  value
    .replace(unrepresentable, '')
    .replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[c]!);

/** An attribute value as C14N writes it: & < " escaped, tab, newline and carriage return as references. */
export const c14nAttr = (value: string) =>
  value
    .replace(unrepresentable, '')
    .replace(
      /[&<"\t\n\r]/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[c]!,
    );

/** An element in canonical form: attributes (unqualified, none namespaced) sorted, never an empty-element tag. */
export function element(name: string, attributes: Record<string, string | undefined>, content = '', xmlns = '') {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => ` ${k}="${c14nAttr(v)}"`)
    .join('');
  return `<${name}${xmlns}${attrs}>${content}</${name}>`;
}

function signedInfo(id: string, digest: string, declareDs: boolean): string {
  const xmlns = declareDs ? ` xmlns:ds="${dsig}"` : '';
  const transforms =
    element('ds:Transform', { Algorithm: algorithms.enveloped }) +
    element('ds:Transform', { Algorithm: algorithms.excC14n });
  const reference = element(
    'ds:Reference',
    { URI: `#${id}` },
    element('ds:Transforms', {}, transforms) +
      element('ds:DigestMethod', { Algorithm: algorithms.sha256 }) +
      element('ds:DigestValue', {}, digest),
  );
  return element(
    'ds:SignedInfo',
    {},
    element('ds:CanonicalizationMethod', { Algorithm: algorithms.excC14n }) +
      element('ds:SignatureMethod', { Algorithm: algorithms.rsaSha256 }) +
      reference,
    xmlns,
  );
}

/**
 * Signs a canonical element (its ID `id`) and puts the enveloped signature at `at` (after its Issuer, SAML core
 * §5.4.1). The digest is of the element without the signature (the enveloped-signature transform); the signature
 * is over SignedInfo canonicalized on its own, where it declares the ds namespace itself.
 */
export function signCanonical(canonical: string, id: string, at: number, key: SigningKey): string {
  const digest = createHash('sha256').update(canonical, 'utf8').digest('base64');
  const value = createSign('RSA-SHA256')
    .update(signedInfo(id, digest, true), 'utf8')
    .sign(key.privateKey);
  const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(key.certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  const signature =
    `<ds:Signature xmlns:ds="${dsig}">${signedInfo(id, digest, false)}` +
    `<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>${keyInfo}</ds:Signature>`;
  return canonical.slice(0, at) + signature + canonical.slice(at);
}
