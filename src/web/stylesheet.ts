// The pages' one stylesheet, served by Tessera itself so the CSP can refuse inline styles (style-src 'self').
// Its address carries a digest of its content: a new release's pages ask for the new file, so it may be cached long.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const css = readFileSync(new URL('./static/tessera.css', import.meta.url), 'utf8');

export const stylesheetPath = '/static/tessera.css';
export const stylesheetHref = `${stylesheetPath}?v=${createHash('sha256').update(css).digest('hex').slice(0, 12)}`;

export function registerStylesheet(app: FastifyInstance): void {
  app.get(stylesheetPath, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(css),
  );
}
