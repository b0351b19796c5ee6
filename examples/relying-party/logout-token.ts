// OpenID Connect Back-Channel Logout 1.0 §2.6: how a logout_token is validated before any session ends.
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

// §2.6 step 2: signed with the issuer's asymmetric keys; `none` and shared-secret algorithms are refused.
const algorithms = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
];

export interface LogoutTokenOptions {
  issuer: string;
  clientId: string;
  keys: JWTVerifyGetKey;
  clockToleranceSeconds: number;
  maxAgeSeconds: number;
}

export interface LogoutRequest {
  sid?: string;
  sub?: string;
  jti?: string;
  expiresAt: number;
}

export class LogoutTokenError extends Error {
  readonly code: 'logout_token.invalid' | 'logout_token.replayed';
  constructor(code: LogoutTokenError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export async function verifyLogoutToken(token: string, o: LogoutTokenOptions): Promise<LogoutRequest> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, o.keys, {
      issuer: o.issuer,
      audience: o.clientId,
      algorithms,
      requiredClaims: ['iat'],
      maxTokenAge: o.maxAgeSeconds,
      clockTolerance: o.clockToleranceSeconds,
    }));
  } catch (err) {
    // Only jose's verdicts on the token are a 400; anything else (a bug) stays a 500.
    if (err instanceof errors.JOSEError) throw new LogoutTokenError('logout_token.invalid', err.code, { cause: err });
    throw err;
  }
  const { sid, sub, events, nonce, jti, exp, iat } = payload as Record<string, unknown>;
  const invalid = (why: string) => new LogoutTokenError('logout_token.invalid', why);
  // §2.6 step 4: the events claim holds the back-channel logout event, as a JSON object.
  const event =
    typeof events === 'object' && events !== null
      ? (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT]
      : undefined;
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw invalid('events claim without the back-channel logout event');
  // §2.6 step 5: a nonce means an ID token is being passed off as a logout token.
  if (nonce !== undefined) throw invalid('nonce present');
  // §2.6 step 3: sid, sub, or both, as strings.
  if (sid !== undefined && typeof sid !== 'string') throw invalid('sid is not a string');
  if (sub !== undefined && typeof sub !== 'string') throw invalid('sub is not a string');
  if (sid === undefined && sub === undefined) throw invalid('neither sid nor sub');
  if (jti !== undefined && typeof jti !== 'string') throw invalid('jti is not a string');
  const expiresAt = (typeof exp === 'number' ? exp : Number(iat) + o.maxAgeSeconds) * 1000;
  return { ...(sid ? { sid } : {}), ...(sub ? { sub } : {}), ...(jti ? { jti } : {}), expiresAt };
}
