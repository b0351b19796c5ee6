// The IdP's metadata at /saml/metadata (SAML metadata §2.4.3): entity ID, the SSO and SLO endpoints in both
// bindings, the signing certificate in force and the next one (published ahead of `tessera saml keys rotate`).
// The document is signed (enveloped, RSA-SHA256, exclusive c14n) with the key in force, so a federation or an app
// that fetched it over a channel it does not trust can check it against the certificate it already trusts.
import { createHash } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { certificateBody } from './certificate.ts';
import type { IdpKeys } from './keys.ts';
import { algorithms } from './response.ts';
import { bindings, nameIdFormats } from './service-providers.ts';

const keyDescriptor = (pem: string) =>
  `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(pem)}` +
  `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

function unsignedMetadata(o: { entityId: string; issuer: string; keys: IdpKeys }, id: string): string {
  const endpoints = (element: string, path: string) =>
    [bindings.redirect, bindings.post]
      .map((b) => `<md:${element} Binding="${b}" Location="${o.issuer}${path}"/>`)
      .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ` +
    `xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="${id}" entityID="${o.entityId}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" ` +
    `protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    keyDescriptor(o.keys.current.certificatePem) +
    keyDescriptor(o.keys.next.certificatePem) +
    endpoints('SingleLogoutService', '/saml/slo') +
    Object.values(nameIdFormats)
      .map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`)
      .join('') +
    endpoints('SingleSignOnService', '/saml/sso') +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/**
 * The signed document: its Signature the EntityDescriptor's first child (metadata schema), by reference to its ID,
 * with no KeyInfo (a metadata signature is checked with a certificate the reader trusts already). The same keys
 * and endpoints give the same document, signed once.
 */
export function idpMetadata(o: { entityId: string; issuer: string; keys: IdpKeys }): string {
  const { current, next } = o.keys;
  const cacheKey = `${o.entityId}\n${o.issuer}\n${current.id}\n${next.id}`;
  if (lastSigned?.cacheKey === cacheKey) return lastSigned.xml;
  const id = `_${createHash('sha256').update(cacheKey).digest('hex').slice(0, 40)}`;
  const signed = new SignedXml({
    privateKey: current.privateKey,
    signatureAlgorithm: algorithms.rsaSha256,
    canonicalizationAlgorithm: algorithms.excC14n,
  });
  signed.addReference({
    xpath: `/*[@ID='${id}']`,
    digestAlgorithm: algorithms.sha256,
    transforms: [algorithms.enveloped, algorithms.excC14n],
  });
  signed.computeSignature(unsignedMetadata(o, id), { prefix: 'ds', location: { reference: '/*', action: 'prepend' } });
  lastSigned = { cacheKey, xml: signed.getSignedXml() };
  return lastSigned.xml;
}

let lastSigned: { cacheKey: string; xml: string } | undefined;
