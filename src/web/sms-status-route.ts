// POST /sms/status: an HTTP SMS provider's delivery report (Twilio's StatusCallback shape), accepted only with a
// valid signature; anything else is answered 403 and changes nothing.
import type { FastifyInstance } from 'fastify';

export interface SmsStatusRouteOptions {
  /** Whether the signature header is the provider's for these form fields. */
  verify(fields: Record<string, string>, signature: unknown): boolean;
  report(fields: Record<string, string>): Promise<void>;
}

const field = { type: 'string', maxLength: 256 } as const;

export function registerSmsStatusRoute(app: FastifyInstance, o: SmsStatusRouteOptions): void {
  app.post<{ Body: Record<string, string> }>(
    '/sms/status',
    { schema: { body: { type: 'object', maxProperties: 64, additionalProperties: field } } },
    async (req, reply) => {
      const fields = { ...(req.body ?? {}) };
      if (!o.verify(fields, req.headers['x-twilio-signature'])) return reply.code(403).send();
      await o.report(fields);
      return reply.code(204).send();
    },
  );
}
