// The composition root's parts, one per concern, in the order createServer (src/server.ts) calls them.
export { composeFoundation, type Foundation, type DomainEvent } from './foundation.ts';
export { composeMail, composeIdentity, composeDirectory, type Identity, type Mail } from './identity.ts';
export { composeOtp, composePolicy, type Policy } from './otp-policy.ts';
export { composeFirstFactor, composeSignIn, type SignInParts } from './signin.ts';
export { composeOidc, type Oidc } from './oidc.ts';
export { composeHttp, composeWebRoutes, type WebParts } from './web.ts';
export { composeRadius, type RadiusParts, type Vpn } from './radius.ts';
export { composeAdmin, type AdminParts } from './admin.ts';
export { composeJobs, type JobParts } from './jobs.ts';
export { listenNamed, listenRadius } from './ports.ts';
