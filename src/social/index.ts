// The social module's only public surface: Google, Facebook and Microsoft as first-factor providers, and the links
// between their accounts and Tessera's.
export { createSocial, type Social, type SocialPorts, type SocialOutcome } from './service.ts';
export { SocialError, type SocialErrorCode } from './errors.ts';
export { socialConfigSchema, type SocialConfig } from './config.ts';
export { createSocialProviders } from './providers.ts';
export { callbackPath, type SocialIdentity, type SocialProvider, type SocialProviderName } from './provider.ts';
export type { SocialFlow, SocialLink, SocialStore } from './store.ts';
export { createSqlSocialStore } from './sql/social-store.ts';
