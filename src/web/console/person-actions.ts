// What the helpdesk gives a person: a hardware token from the imported stock (by the serial printed on it) and a
// registration code when the SMS does not come. Each asks for a reason, which the audit row keeps.
import type { FastifyInstance } from 'fastify';
import { registrationCodePage } from '../pages/console-pages.ts';
import type { Body, ConsoleKit } from './kit.ts';
import { actionSchema, personView } from './person-view.ts';

export function registerConsolePersonActions(app: FastifyInstance, kit: ConsoleKit): void {
  const { frameFor, renderPerson } = personView(kit);

  // A code for the person to register a new phone with when the SMS does not come: shown once, here, to be read out.
  app.post<{ Body: Body }>('/console/person/registration-code', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const query = req.body.q ?? '';
    const reason = req.body['reason-code'] ?? req.body.reason;
    if (!reason?.trim()) {
      const errors = [{ field: 'reason-code', message: 'console.reason_needed' as const }];
      return renderPerson(reply, session, query, { errors, status: 400 });
    }
    const admin = kit.adminFor(session);
    try {
      const { account } = await admin.people.find(query);
      const issued = await admin.registrationCodes.issue(account.username ?? account.email ?? query, reason);
      const model = { query, person: account.username ?? account.email ?? query, ...issued };
      return kit.page(reply, 200, registrationCodePage(await frameFor(session), model));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  });

  // A hardware token from the imported stock, given to the person by the serial printed on it; it works at once.
  app.post<{ Body: Body }>('/console/person/assign', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const query = req.body.q ?? '';
    const serial = req.body.serial?.trim() ?? '';
    const reason = req.body['reason-assign'] ?? req.body.reason;
    const missing = [
      ...(serial === '' ? [{ field: 'serial', message: 'console.serial_unknown' as const }] : []),
      ...(reason?.trim() ? [] : [{ field: 'reason-assign', message: 'console.reason_needed' as const }]),
    ];
    if (missing.length > 0) return renderPerson(reply, session, query, { errors: missing, status: 400 });
    const admin = kit.adminFor(session);
    try {
      const { account } = await admin.people.find(query);
      await admin.tokens.assign(account.username ?? account.email ?? query, serial, reason);
    } catch (err) {
      return kit.refusal(reply, err);
    }
    return reply.redirect(`/console/person?${new URLSearchParams({ q: query, done: 'assign', serial })}`, 303);
  });
}
