// The IdP's metadata at /saml/metadata (SAML metadata §2.4.3): entity ID, the SSO and SLO endpoints in both
// bindings, the signing certificate in force and the next one (published ahead of `tessera saml keys rotate`).
import { certificateBody } from './certificate.ts';
import type { IdpKeys } from './keys.ts';
import { bindings, nameIdFormats } from './service-providers.ts';

const keyDescriptor = (pem: string) =>
  `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(pem)}` +
  `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

export function idpMetadata(o: { entityId: string; issuer: string; keys: IdpKeys }): string {
  const endpoints = (element: string, path: string) =>
    [bindings.redirect, bindings.post]
      .map((b) => `<md:${element} Binding="${b}" Location="${o.issuer}${path}"/>`)
      .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ` +
    `xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${o.entityId}">` +
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
