// /reset-password: request a link (e-mail + captcha), then choose a new password from the link. Before sign-in
// there is no session, so forms are bound to a random cookie for CSRF. Each step: checkCsrf → checks → act → page.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CaptchaError, solverScriptPath, type Captcha } from '../captcha/index.ts';
import { IdentityError, type PasswordReset } from '../identity/index.ts';
import type { SessionManager } from '../oidc/index.ts';
import { attemptLimits, RateLimitedError, type AttemptRules, type RateLimiter } from '../ratelimit/index.ts';
import type { Csrf } from './csrf.ts';
import { createFormCookie } from './form-cookie.ts';
import type { DeviceCookies } from './device-cookie.ts';
import type { FieldError } from './pages/forms.ts';
import { answerStatus, formError } from './error-map.ts';
import { messagePage } from './pages/account-pages.ts';
import { resetDonePage, resetNewPasswordPage, resetRequestPage, resetSentPage } from './pages/reset-pages.ts';

export interface ResetRouteOptions {
  reset: PasswordReset;
  captcha: Captcha;
  sessions: SessionManager;
  csrf: Csrf;
  limiter: RateLimiter;
  /** Reset mails per address asked for, counted as sign-ins are (src/ratelimit/attempt-limits.ts). */
  rules: AttemptRules;
  devices: DeviceCookies;
  secureCookies: boolean;
  onError(err: unknown): void;
}

type Body = Record<string, string | undefined>;
const text = { type: 'string', maxLength: 2048 } as const;
// Above the password policy's 1,024 characters, so a longer password reaches the domain and gets its "too long".
const passwordText = { type: 'string', maxLength: 4096 } as const;
const bodySchema = {
  body: { type: 'object', properties: { csrf: text, email: text, captcha: text, token: text, password: passwordText } },
} as const;

export function registerResetRoutes(app: FastifyInstance, o: ResetRouteOptions): void {
  const solver = readFileSync(solverScriptPath, 'utf8');
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  const form = createFormCookie(o.csrf, '/reset-password', o.secureCookies);
  const formToken = (req: FastifyRequest, reply: FastifyReply) => form.token(req, reply);
  const formTokenValid = (req: FastifyRequest<{ Body: Body }>) => form.valid(req);

  app.get('/static/captcha.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(solver),
  );

  app.get('/reset-password', async (req, reply) =>
    page(reply, 200, resetRequestPage({ csrf: formToken(req, reply), challenge: await o.captcha.challenge() })),
  );

  app.post<{ Body: Body }>('/reset-password', { schema: bodySchema }, async (req, reply) => {
    const email = String(req.body?.email ?? '');
    const again = async (status: number, errors: FieldError[]) =>
      page(
        reply,
        status,
        resetRequestPage({ csrf: formToken(req, reply), challenge: await o.captcha.challenge(), email, errors }),
      );
    if (!formTokenValid(req)) return page(reply, 403, messagePage('error.title', 'web.csrf'));
    try {
      await o.captcha.verify(req.body.captcha);
      // Per (address, place) before per address, so that asking from elsewhere cannot spend the owner's mails; the
      // owner's browser (device cookie for this address) is counted on its own.
      await o.limiter.check(
        attemptLimits(
          {
            action: 'reset',
            account: email,
            source: { ip: req.ip },
            device: o.devices.deviceFor(req.headers.cookie, email),
          },
          o.rules,
        ),
      );
    } catch (err) {
      if (!(err instanceof CaptchaError || err instanceof RateLimitedError)) throw err;
      const answer = formError(err);
      return again(answerStatus(reply, answer, 400), [answer]);
    }
    // Not awaited: the answer leaves before any look-up, so neither its words nor its timing tell whether the
    // address has an account (checklist T21).
    void o.reset.request(email).catch(o.onError);
    return page(reply, 200, resetSentPage(email));
  });

  app.get<{ Querystring: { token?: string } }>(
    '/reset-password/new',
    {
      schema: { querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 100 } } } },
    },
    async (req, reply) =>
      page(
        reply,
        200,
        resetNewPasswordPage({
          csrf: formToken(req, reply),
          token: req.query.token ?? '',
          passwordMinLength: await o.reset.passwordMinLength(req.query.token),
        }),
      ),
  );

  app.post<{ Body: Body }>('/reset-password/new', { schema: bodySchema }, async (req, reply) => {
    if (!formTokenValid(req)) return page(reply, 403, messagePage('error.title', 'web.csrf'));
    try {
      const accountId = await o.reset.complete(req.body.token, req.body.password);
      // Every session and refresh token ends; no session is made: the person signs in afresh (T19, T24).
      await o.sessions.endAll(accountId);
      return page(reply, 200, resetDonePage());
    } catch (err) {
      if (!(err instanceof IdentityError)) throw err;
      const answer = formError(err);
      if (err.code === 'identity.verification_invalid') {
        return page(reply, 400, messagePage('error.title', answer.message));
      }
      return page(
        reply,
        400,
        resetNewPasswordPage({
          csrf: formToken(req, reply),
          token: String(req.body.token ?? ''),
          passwordMinLength: await o.reset.passwordMinLength(req.body.token),
          errors: [{ ...answer, field: 'password' }],
        }),
      );
    }
  });
}
