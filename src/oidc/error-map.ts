// The one table from a sign-in's end to the OAuth 2.0 error the app receives (RFC 6749 §4.1.2.1), for the outcomes
// that end an authorization request without a login. Pages show everything else (src/web/error-map.ts).

export type OAuthEndCode = 'signin.cancelled';

const byCode: Readonly<Record<OAuthEndCode, { error: string; error_description: string }>> = {
  // "Cancel and go back" on the sign-in, sign-up or consent page.
  'signin.cancelled': { error: 'access_denied', error_description: 'The person cancelled the sign-in.' },
};

/** The interaction result that ends the request with this OAuth error (oidc-provider redirects it to the app). */
export const oauthError = (code: OAuthEndCode) => ({ ...byCode[code] });
