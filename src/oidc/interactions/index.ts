// The pages oidc-provider hands the browser to: sign-in, sign-up with e-mail confirmation, the second factor,
// consent. A thin adapter over src/signin: each route is a short list of steps (load → checkCsrf → act → finish or
// render), and the OIDC login is finished only once the sign-in flow is done, so a person who passed the password
// but not the code their flow asked for holds no SSO session anywhere (T44).
import type { FastifyInstance } from 'fastify';
import { registerConsent } from './consent.ts';
import { createInteractionKit, type InteractionOptions } from './kit.ts';
import { registerSecondFactor } from './second-factor.ts';
import { registerSignIn } from './sign-in.ts';
import { registerSignUp } from './sign-up.ts';
import { registerSocial } from './social.ts';

export type { InteractionOptions } from './kit.ts';

export function registerInteractions(app: FastifyInstance, o: InteractionOptions): void {
  const kit = createInteractionKit(o);
  registerSignIn(app, kit);
  registerSignUp(app, kit);
  registerSecondFactor(app, kit);
  registerConsent(app, kit);
  registerSocial(app, kit);
}
