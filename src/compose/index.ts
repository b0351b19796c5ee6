// The composition root's parts, one per concern, in the order createServer (src/server.ts) calls them.
export { composeFoundation, type Foundation } from './foundation.ts';
export { composeMail, composeIdentity, composeDirectory, type Identity, type Mail } from './identity.ts';
export { composeOtp, composePolicy, type Policy } from './otp-policy.ts';
export { composeFirstFactor, composeSignIn, type SignInParts } from './signin.ts';
export { composeOidc, type Oidc } from './oidc.ts';
export { composeHttp, composeWebRoutes, type WebParts } from './web.ts';
export { composeRadius, type RadiusParts, type Vpn } from './radius.ts';
export { composeOperations, type AdminParts } from './admin.ts';
export { composeJobs, type JobParts } from './jobs.ts';
export { listenNamed, listenRadius } from './ports.ts';

import { composeFoundation } from './foundation.ts';
import { composeMail, composeIdentity, composeDirectory } from './identity.ts';
import { composeOtp, composePolicy } from './otp-policy.ts';
import { composeFirstFactor, composeSignIn } from './signin.ts';
import { composeOidc } from './oidc.ts';
import { composeHttp, composeWebRoutes } from './web.ts';
import { composeRadius } from './radius.ts';
import { composeOperations } from './admin.ts';
import { composeJobs } from './jobs.ts';

/** The compose functions by concern, so the composition root reads `compose.identity(…)`. */
export const compose = {
  foundation: composeFoundation,
  mail: composeMail,
  otp: composeOtp,
  identity: composeIdentity,
  policy: composePolicy,
  signIn: composeSignIn,
  oidc: composeOidc,
  directory: composeDirectory,
  http: composeHttp,
  firstFactor: composeFirstFactor,
  webRoutes: composeWebRoutes,
  radius: composeRadius,
  jobs: composeJobs,
  operations: composeOperations,
};
