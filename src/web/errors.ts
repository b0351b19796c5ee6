// One place maps failures to what a person or a program reads: a page for browsers, problem+json (RFC 9457) otherwise.
// A typed error the web has a status for (a throttle, an outage) answers with it (src/web/error-map.ts); anything else
// unexpected is "unavailable", its details in the log only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage } from './pages/account-pages.ts';
import { t, type MessageId } from '../i18n/index.ts';
import { answerStatus, webAnswer } from './error-map.ts';

type Params = Record<string, string | number>;

/** An RFC 9457 problem: `code` is the message id, `title` its words unless `extra` names a shorter one. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  id: MessageId,
  extra: Record<string, unknown> = {},
  params?: Params,
) {
  const problem = { type: 'about:blank', status, title: t(id, params), code: id, ...extra };
  return reply.code(status).type('application/problem+json').send(problem);
}

function respond(req: FastifyRequest, reply: FastifyReply, status: number, id: MessageId, params?: Params) {
  if ((req.headers.accept ?? '').includes('text/html')) {
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(messagePage('error.title', id, undefined, params));
  }
  return sendProblem(reply, status, id, {}, params);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => respond(req, reply, 404, 'web.not_found'));
  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return respond(req, reply, 413, 'web.too_large');
    }
    if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
      return respond(req, reply, err.statusCode && err.statusCode !== 500 ? err.statusCode : 400, 'web.bad_request');
    }
    const answer = webAnswer(err);
    if (answer?.status !== undefined) {
      if (answer.status >= 500) req.log.error({ err }, 'request failed');
      return respond(req, reply, answerStatus(reply, answer, 503), answer.message, answer.params);
    }
    req.log.error({ err }, 'request failed');
    return respond(req, reply, 503, 'web.unavailable');
  });
}
