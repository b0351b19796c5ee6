// Resync a drifting token from two codes the person reads out, and sign a person out everywhere ("someone else may
// be signed in as me"). Each asks for a reason, which the audit row by the operator keeps; the admin service decides
// whether the operator may act on this person, whatever the form says.
import type { FastifyInstance } from 'fastify';
import type { MessageId } from '../../i18n/index.ts';
import { OtpError } from '../../otp/index.ts';
import type { FieldError } from '../pages/forms.ts';
import type { Body, ConsoleKit } from './kit.ts';
import { actionSchema, personView } from './person-view.ts';

const needed = (value: string | undefined, field: string, message: MessageId): FieldError[] =>
  value?.trim() ? [] : [{ field, message }];

export function registerConsoleHelpdeskActions(app: FastifyInstance, kit: ConsoleKit): void {
  const { renderPerson } = personView(kit);

  app.post<{ Body: Body }>('/console/person/resync', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const b = req.body;
    const query = b.q ?? '';
    const serial = (b['serial-resync'] ?? b.serial ?? '').trim();
    const reason = b['reason-resync'] ?? b.reason;
    const errors = [
      ...needed(serial, 'serial-resync', 'console.token_not_in_use'),
      ...needed(b['resync-first'], 'resync-first', 'otp.malformed'),
      ...needed(b['resync-second'], 'resync-second', 'otp.malformed'),
      ...needed(reason, 'reason-resync', 'console.reason_needed'),
    ];
    if (errors.length > 0) return renderPerson(reply, session, query, { errors, status: 400 });
    try {
      await kit.adminFor(session).tokens.resync(serial, b['resync-first'] ?? '', b['resync-second'] ?? '', reason);
    } catch (err) {
      // The person reads two new codes out again; the page says why these were not taken.
      if (!(err instanceof OtpError)) return kit.refusal(reply, err);
      const refused = [{ field: 'resync-first', message: err.code }];
      return renderPerson(reply, session, query, { errors: refused, status: 400 });
    }
    return reply.redirect(`/console/person?${new URLSearchParams({ q: query, done: 'resync', serial })}`, 303);
  });

  app.post<{ Body: Body }>('/console/person/end-sessions', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const query = req.body.q ?? '';
    const reason = req.body['reason-sessions'] ?? req.body.reason;
    const errors = needed(reason, 'reason-sessions', 'console.reason_needed');
    if (errors.length > 0) return renderPerson(reply, session, query, { errors, status: 400 });
    const admin = kit.adminFor(session);
    try {
      const { account } = await admin.people.find(query);
      await admin.sessions.endAll(account.username ?? account.email ?? query, reason);
    } catch (err) {
      return kit.refusal(reply, err);
    }
    return reply.redirect(`/console/person?${new URLSearchParams({ q: query, done: 'sessions' })}`, 303);
  });
}
