// /healthz (the process answers), /readyz (the database answers), /metrics (Prometheus, one registry per server).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      registers: [registry],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    logins: new Counter({
      name: 'tessera_logins_total',
      help: 'Sign-in attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'tessera_tokens_issued_total',
      help: 'Tokens issued by grant type',
      labelNames: ['grant_type'],
      registers: [registry],
    }),
    otpValidations: new Counter({
      name: 'tessera_otp_validations_total',
      help: 'OTP validate API answers by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    radius: new Counter({
      name: 'tessera_radius_packets_total',
      help: 'RADIUS packets by client and outcome',
      labelNames: ['client', 'outcome'],
      registers: [registry],
    }),
    directoryServerFailures: new Counter({
      name: 'tessera_directory_server_failures_total',
      help: 'Directory servers that did not answer a connection (fail-over to the next URL)',
      labelNames: ['url'],
      registers: [registry],
    }),
    mail: new Counter({
      name: 'tessera_mail_enqueued_total',
      help: 'Mail put in the outbox by template',
      labelNames: ['template'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

// Both sides hashed first, so the comparison takes the same time whatever the length or content of the guess.
function bearerMatches(req: FastifyRequest, token: string): boolean {
  const presented = /^Bearer ([\x21-\x7e]+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

export function registerObservability(
  app: FastifyInstance,
  metrics: Metrics,
  ready: () => Promise<void>,
  options: { bearerToken?: string } = {},
): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: reply.statusCode });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await ready();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', detail: 'database' });
    }
  });
  // Route names, counts and timings tell an attacker what is used and how: only the monitoring's token reads them.
  app.get('/metrics', async (req, reply) => {
    if (options.bearerToken !== undefined && !bearerMatches(req, options.bearerToken)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics", error="invalid_token"')
        .type('application/problem+json')
        .send({ type: 'about:blank', status: 401, title: 'invalid_token', code: 'metrics.invalid_token' });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
