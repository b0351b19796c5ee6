// The sign-in flow as data (as Ory Kratos keeps its self-service flows): what the person has proven, which step is
// next, until when. A flow exists only between the first factor and the second: a sign-in that needs no second
// factor is done at once, and one that does is signed in nowhere until its flow completes.
import type { SecondFactorDecision } from '../policy/index.ts';

/** `code`: the person types a code from a token they have; `enrol`: they register one first (its first code counts). */
export type SecondFactorStep = 'code' | 'enrol';

export interface SignInFlow {
  id: string;
  /** The protocol's handle for this sign-in (the OIDC interaction uid): one flow per handle. */
  handle: string;
  /** The app the person signs in to (an OIDC client id, `radius:<gateway>`, later a SAML entity). */
  appId: string;
  accountId: string;
  /** What the person has proven so far, as RFC 8176 amr values (`pwd` after the password). */
  amr: string[];
  step: SecondFactorStep;
  /** The registration may be put off ("Remind me later"): the app's grace period, and nothing asked for the code. */
  optional: boolean;
  expiresAt: number;
  createdAt: number;
}

/** What a finished sign-in proved; the protocol adapter turns it into its answer (an OIDC login, a SAML assertion). */
export interface SignedIn {
  accountId: string;
  amr: string[];
  /** The person put off registering a token (grace period): the adapter must not ask again in this sign-in. */
  declinedEnrolment: boolean;
}

/**
 * The step a sign-in needs after its first factor. The app asks for the code (policy, or the request itself, e.g.
 * OIDC `acr_values` or SAML's RequestedAuthnContext): a person with a token types its code; one without registers a
 * token first, unless the app only suggests it (grace period) and the request did not ask for the code.
 */
export function secondFactorStep(
  decision: SecondFactorDecision & { hasToken: boolean },
  requestedMfa: boolean,
): { step: SecondFactorStep; optional: boolean } | undefined {
  if (decision.hasToken) return decision.askCode || requestedMfa ? { step: 'code', optional: false } : undefined;
  if (decision.mustEnrol || requestedMfa) return { step: 'enrol', optional: false };
  return decision.suggestEnrol ? { step: 'enrol', optional: true } : undefined;
}

export const withCode = (amr: readonly string[]) => [...new Set([...amr, 'otp', 'mfa'])];
