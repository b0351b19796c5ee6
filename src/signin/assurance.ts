// What a finished sign-in proved, in the words apps read (OIDC `acr`, later SAML's AuthnContextClassRef), and how
// long the session it opened lives: the same for the provider and for the account site that signs in through it.

/** The assurance levels a sign-in reaches: the password alone, or the password and a code. */
export const acr = { password: 'urn:tessera:pwd', mfa: 'urn:tessera:mfa' } as const;

/** Seconds a session lives from now: the idle limit, capped by what is left of the absolute limit since sign-in. */
export function sessionTtlSeconds(
  loginTs: number | undefined,
  absoluteSeconds: number,
  idleSeconds: number,
  nowMs: number,
): number {
  const left = loginTs === undefined ? absoluteSeconds : loginTs + absoluteSeconds - Math.floor(nowMs / 1000);
  // oidc-provider takes only a positive lifetime; a session past its limit is already gone from the store.
  return Math.max(1, Math.min(idleSeconds, left));
}
