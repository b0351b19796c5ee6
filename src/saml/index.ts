// The SAML 2.0 identity provider's only public surface.
export { SamlError, type SamlErrorCode } from './errors.ts';
export type { SamlStore } from './store.ts';
export { createSqlSamlStore } from './sql/saml-store.ts';
export { createKeyRing, type KeyRing, type IdpKeys } from './keys.ts';
export {
  createServiceProviders,
  settingsSchema,
  samlClientId,
  type StandInClients,
  type ServiceProviders,
  type ServiceProvider,
  type SpSettings,
} from './service-providers.ts';
export {
  createSso,
  resumePath,
  type BrowserSession,
  type Sso,
  type SsoPorts,
  type RedeemedCode,
} from './sso.ts';
export { createSchemaValidator } from './xml-schema.ts';
export { createIdpEntities } from './idp.ts';
export { registerSamlRoutes, type SamlRouteOptions } from './routes.ts';
export { attributeNames, classRefs, type DirectoryDetails } from './claims.ts';
export { createSlo, type Slo, type SloPorts } from './slo.ts';
