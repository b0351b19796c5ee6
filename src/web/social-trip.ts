// The two ends of a trip to a social provider that every HTTP route shares (the sign-in pages in src/oidc, the
// account page here): the cookie that binds the trip to the browser that started it, and the page for a failed one.
import type { FastifyReply } from 'fastify';
import { SocialError, type Social } from '../social/index.ts';
import { sourceKey, type Limit, type RateLimiter } from '../ratelimit/index.ts';
import { answerStatus, formError } from './error-map.ts';
import { messagePage } from './pages/account-pages.ts';

/** What the routes need of the social module. */
export interface SocialWeb {
  service: Social;
  secureCookies: boolean;
  flowSeconds: number;
  /** Trips started per source address: each stores a flow, so a script cannot fill the database with them. */
  limiter: Pick<RateLimiter, 'check'>;
  tripsPerSource: Limit;
}

/** The cookie that binds a trip to the browser that started it; only the callback path receives it. */
export const socialCookie = 'tessera_social';
export { readCookie } from './cookies.ts';

/** A failed trip: a page that says what happened and that nothing was changed (503 when the provider is down). */
export function socialFailure(reply: FastifyReply, err: unknown) {
  if (!(err instanceof SocialError)) throw err;
  const status = err.code === 'social.unavailable' ? 503 : 400;
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(messagePage('social.failed_title', err.code));
}

/** Starts a trip: the flow stored, the binding cookie set, the browser sent to the provider. */
export async function startTrip(
  reply: FastifyReply,
  o: SocialWeb,
  input: Parameters<Social['begin']>[0] & { ip: string },
) {
  try {
    await o.limiter.check([{ key: sourceKey('social', input.ip), rule: o.tripsPerSource }]);
    const { url, browserToken } = await o.service.begin(input);
    const secure = o.secureCookies ? '; Secure' : '';
    // SameSite=Lax: the provider's redirect back is a top-level GET, which carries it.
    reply.header(
      'set-cookie',
      `${socialCookie}=${browserToken}; Path=/social/; Max-Age=${o.flowSeconds}; HttpOnly; SameSite=Lax${secure}`,
    );
    return reply.redirect(url.toString(), 303);
  } catch (err) {
    if (err instanceof SocialError) return socialFailure(reply, err);
    const answer = formError(err);
    const status = answerStatus(reply, answer, 400);
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(messagePage('error.title', answer.message, undefined, answer.params));
  }
}
