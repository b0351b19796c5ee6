// Request logs never carry secrets: links in mail put tokens in query strings, so every query value but a few
// harmless names is masked before the line is written.
import { pino, type Logger } from 'pino';

const visibleQueryParameters = new Set([
  'client_id',
  'response_type',
  'scope',
  'prompt',
  'redirect_uri',
  'ui_locales',
  'confirmed',
]);

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (!visibleQueryParameters.has(key)) params.set(key, '[redacted]');
  return `${url.slice(0, q)}?${params.toString().replaceAll('%5Bredacted%5D', '[redacted]')}`;
}

export function createLogger(level: string, destination?: { write(line: string): void }): Logger {
  const options = {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.hostname,
        remoteAddress: req.ip,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
