// The account site (/account): the person's own SSO session (oidc-provider's cookie) is the sign-in, so a customer
// signed in at the shop opens the account page signed in. Each form: authorized (session, CSRF) → act → render.
import type { FastifyInstance } from 'fastify';
import { createAccountKit, type AccountSiteOptions } from './kit.ts';
import { registerOtp } from './otp.ts';
import { registerProfile } from './profile.ts';
import { registerSessions } from './sessions.ts';
import { registerAccountSignIn } from './sign-in.ts';
import { registerAccountSocial } from './social.ts';

export { accountClientId, type AccountSiteOptions } from './kit.ts';

export function registerAccountSite(app: FastifyInstance, o: AccountSiteOptions): void {
  const kit = createAccountKit(o);
  registerAccountSignIn(app, kit);
  registerProfile(app, kit);
  registerSessions(app, kit);
  registerOtp(app, kit);
  registerAccountSocial(app, kit);
}
