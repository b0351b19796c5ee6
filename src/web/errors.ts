// One place maps failures to what a person or a program reads: a page for browsers, problem+json (RFC 9457) otherwise.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage } from './pages/account-pages.ts';
import { t, type MessageId } from './i18n/index.ts';

function respond(req: FastifyRequest, reply: FastifyReply, status: number, id: MessageId) {
  if ((req.headers.accept ?? '').includes('text/html')) {
    return reply.code(status).type('text/html; charset=utf-8').send(messagePage('error.title', id));
  }
  return reply.code(status).type('application/problem+json').send({ type: 'about:blank', status, title: t(id), code: id });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => respond(req, reply, 404, 'web.not_found'));
  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return respond(req, reply, 413, 'web.too_large');
    if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) return respond(req, reply, err.statusCode && err.statusCode !== 500 ? err.statusCode : 400, 'web.bad_request');
    req.log.error({ err }, 'request failed');
    return respond(req, reply, 503, 'web.unavailable');
  });
}
