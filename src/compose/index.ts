// The composition root's parts, one per concern, in the order createServer (src/server.ts) calls them.
import { composeOperations } from './admin.ts';
import { composeFoundation } from './foundation.ts';
import { composeDirectory, composeIdentity, composeMail, identityLinks } from './identity.ts';
import { composeJobs } from './jobs.ts';
import { composeOidc } from './oidc.ts';
import { composeOtp, composePolicy } from './otp-policy.ts';
import { composeRadius } from './radius.ts';
import { composeSaml } from './saml.ts';
import { composeRegistration } from './registration.ts';
import { composeFirstFactor, composeSignIn } from './signin.ts';
import { composeHttp, composeWebRoutes } from './web.ts';
import { composeSocial } from './social.ts';

export type { AdminParts } from './admin.ts';
export type { Foundation } from './foundation.ts';
export type { Identity, Mail } from './identity.ts';
export type { JobParts } from './jobs.ts';
export type { Oidc } from './oidc.ts';
export type { Policy } from './otp-policy.ts';
export type { RadiusParts, Vpn } from './radius.ts';
export type { RegistrationParts } from './registration.ts';
export type { SignInParts } from './signin.ts';
export type { Saml } from './saml.ts';
export type { SocialParts } from './social.ts';
export type { WebParts } from './web.ts';
export { listenNamed, listenRadius } from './ports.ts';

/** The compose functions by concern, so the composition root reads `compose.identity(…)`. */
export const compose = {
  foundation: composeFoundation,
  mail: composeMail,
  otp: composeOtp,
  identity: composeIdentity,
  identityLinks,
  policy: composePolicy,
  signIn: composeSignIn,
  oidc: composeOidc,
  directory: composeDirectory,
  http: composeHttp,
  firstFactor: composeFirstFactor,
  registration: composeRegistration,
  webRoutes: composeWebRoutes,
  radius: composeRadius,
  jobs: composeJobs,
  operations: composeOperations,
  saml: composeSaml,
  social: composeSocial,
};
