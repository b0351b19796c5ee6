// The sign-in module's only public surface.
export { createSignIn, type SignIn, type SignInPorts, type FirstFactorDone } from './service.ts';
export { secondFactorStep, type SignInFlow, type SignedIn, type SecondFactorStep } from './flow.ts';
export { SignInError, type SignInErrorCode } from './errors.ts';
export type { SignInFlowStore } from './store.ts';
export { createSqlSignInFlowStore } from './sql/flow-store.ts';
export { createFirstFactor, type FirstFactor, type FirstFactorPorts, type FirstFactorAttempt } from './first-factor.ts';
export { acr, sessionTtlSeconds } from './assurance.ts';
