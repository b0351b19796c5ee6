// samlify's view of Tessera as an IdP, used only to read and verify what apps send (samlify reads; Tessera
// writes its answers itself: response.ts). Two views: one that requires the request's signature, one that does
// not; requests.ts picks per app and per request. samlify keeps its schema validator in module state: it is set
// here, to the check the configuration names (the last server made in a process decides, as for samlify itself).
import * as samlify from 'samlify';
import { createStructureValidator } from './structure.ts';
import { createSchemaValidator } from './xml-schema.ts';
import { bindings } from './service-providers.ts';

export function createIdpEntities(o: {
  entityId: string;
  issuer: string;
  certificatePem: string;
  /** `structure` (structure.ts, in-process) or `xsd` (xml-schema.ts, the XSD in xmllint as WebAssembly). */
  schemaCheck: 'structure' | 'xsd';
}) {
  samlify.setSchemaValidator(o.schemaCheck === 'xsd' ? createSchemaValidator() : createStructureValidator());
  const settings = (wantSigned: boolean) =>
    samlify.IdentityProvider({
      entityID: o.entityId,
      signingCert: o.certificatePem,
      wantAuthnRequestsSigned: wantSigned,
      wantLogoutRequestSigned: wantSigned,
      wantLogoutResponseSigned: wantSigned,
      singleLogoutService: [
        { Binding: bindings.redirect, Location: `${o.issuer}/saml/slo` },
        { Binding: bindings.post, Location: `${o.issuer}/saml/slo` },
      ],
      singleSignOnService: [
        { Binding: bindings.redirect, Location: `${o.issuer}/saml/sso` },
        { Binding: bindings.post, Location: `${o.issuer}/saml/sso` },
      ],
    });
  return { checking: settings(true), lenient: settings(false) };
}
