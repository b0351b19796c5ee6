// POST /api/otp/validate: for systems that check codes themselves (a webmail or portal module). The caller is an
// API client with a client-credentials token for Tessera's API (scope otp:validate), verified offline against the
// signing keys; the answer is accept, reject or locked.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createLocalJWKSet, jwtVerify, type FlattenedJWSInput, type JWK } from 'jose';
import { OtpError, type OtpService } from '../../otp/index.ts';
import type { AccountService } from '../../identity/index.ts';
import { accountKey, type Limit, type RateLimiter } from '../../ratelimit/index.ts';
import { answerStatus, webAnswer } from '../error-map.ts';
import { sendProblem } from '../errors.ts';

export interface ValidateApiOptions {
  otp: OtpService;
  accounts: AccountService;
  issuer: string;
  audience: string;
  /** Public signing keys (the JWKS) as this node publishes them now (they change at a rotation). */
  keys(): JWK[];
  limiter: RateLimiter;
  perUser: Limit;
  onResult?: (result: string) => void;
}

const bodySchema = {
  type: 'object',
  required: ['user', 'code'],
  additionalProperties: false,
  properties: { user: { type: 'string', minLength: 1, maxLength: 320 }, code: { type: 'string', maxLength: 16 } },
} as const;

export function registerOtpValidateApi(app: FastifyInstance, o: ValidateApiOptions): void {
  let published: { keys: JWK[]; jwks: ReturnType<typeof createLocalJWKSet> } | undefined;
  const jwks = (header: Parameters<ReturnType<typeof createLocalJWKSet>>[0], token: FlattenedJWSInput) => {
    const keys = o.keys();
    if (published?.keys !== keys) published = { keys, jwks: createLocalJWKSet({ keys }) };
    return published.jwks(header, token);
  };
  // An API client sends the same token until it expires; its signature is checked once, then remembered until
  // its `exp` (a signature check costs more than the rest of a validation).
  const verified = new Map<string, { scopes: string[]; expiresAt: number }>();
  async function scopesOf(token: string): Promise<string[]> {
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now()) return known.scopes;
    const { payload } = await jwtVerify(token, jwks, {
      issuer: o.issuer,
      audience: o.audience,
      algorithms: ['ES256', 'RS256'],
      requiredClaims: ['exp'],
    });
    const scopes = String(payload.scope ?? '').split(' ');
    if (verified.size >= 1000) verified.clear();
    verified.set(token, { scopes, expiresAt: payload.exp! * 1000 });
    return scopes;
  }
  const unauthorized = (reply: FastifyReply, error: 'invalid_token' | 'insufficient_scope') =>
    reply
      .code(error === 'invalid_token' ? 401 : 403)
      .header('www-authenticate', `Bearer error="${error}"`)
      .type('application/problem+json')
      .send({ type: 'about:blank', status: error === 'invalid_token' ? 401 : 403, title: error, code: `api.${error}` });

  app.post<{ Body: { user: string; code: string } }>(
    '/api/otp/validate',
    { schema: { body: bodySchema } },
    async (req, reply) => {
      const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '')?.[1];
      let scopes: string[];
      try {
        if (!token) throw new Error('no token');
        scopes = await scopesOf(token);
      } catch {
        return unauthorized(reply, 'invalid_token');
      }
      if (!scopes.includes('otp:validate')) return unauthorized(reply, 'insufficient_scope');

      // Only failed validations count toward the limit: a system validating many good codes is not slowed down,
      // one guessing (or probing names) is.
      try {
        await o.limiter.limitFailures(
          [{ key: accountKey('otp', req.body.user), rule: o.perUser }],
          async () => {
            const account = await o.accounts.findByLogin(req.body.user);
            // A disabled account's code is rejected like a wrong one; an unknown user too (same answer, comparable work).
            await o.otp.validate(account && account.status === 'active' ? account.id : null, req.body.code);
          },
          (err) => err instanceof OtpError,
        );
        o.onResult?.('accept');
        return { result: 'accept' };
      } catch (err) {
        // Too many failures for this name: 429 with the web's message id as `code` (src/web/error-map.ts).
        const answer = webAnswer(err);
        if (answer?.status === 429) {
          const status = answerStatus(reply, answer, 429);
          const extra = { title: 'Too many attempts', retryAfterSeconds: answer.retryAfterSeconds };
          return sendProblem(reply, status, answer.message, extra);
        }
        if (!(err instanceof OtpError)) throw err;
        const locked = err.code === 'otp.locked' || err.code === 'otp.throttled';
        o.onResult?.(locked ? 'locked' : 'reject');
        return locked
          ? {
              result: 'locked',
              reason: err.code,
              ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
            }
          : { result: 'reject', reason: err.code };
      }
    },
  );
}
