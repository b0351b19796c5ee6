// The helpdesk's pages: find a person (by any form of their name, e-mail address or a token's serial), see their
// tokens and recent events, and unlock or unbind a token with a reason. What an agent may see and touch is decided by
// the admin service for the person signed in; a URL edited by hand or a form posted by hand meets the same check.
import type { FastifyInstance } from 'fastify';
import type { MessageId } from '../../i18n/index.ts';
import { consoleHomePage } from '../pages/console-pages.ts';
import type { Body, ConsoleKit } from './kit.ts';
import { registerPeopleSearch } from './people-search.ts';
import { actionSchema, personView, text } from './person-view.ts';
const notices: Record<string, MessageId> = {
  unlock: 'console.unlocked',
  unbind: 'console.unbound',
  assign: 'console.assigned',
  resync: 'console.resynced',
  sessions: 'console.sessions_ended',
};

export function registerConsolePeople(app: FastifyInstance, kit: ConsoleKit): void {
  const { frameFor, renderPerson } = personView(kit);

  app.get('/console', async (req, reply) => {
    const session = await kit.signedIn(req, reply);
    if (!session) return reply;
    try {
      return kit.page(reply, 200, consoleHomePage(await frameFor(session)));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  });

  registerPeopleSearch(app, kit, frameFor);

  app.get<{ Querystring: { q?: string; done?: string; serial?: string } }>(
    '/console/person',
    {
      schema: {
        querystring: { type: 'object', properties: { q: text(256), done: text(16), serial: text(64) } },
      },
    },
    async (req, reply) => {
      const session = await kit.signedIn(req, reply);
      if (!session) return reply;
      const query = req.query.q?.trim() ?? '';
      if (query === '') return reply.redirect('/console', 303);
      const done = req.query.done === undefined ? undefined : notices[req.query.done];
      const notice = done && { id: done, params: { serial: req.query.serial ?? '' } };
      return renderPerson(reply, session, query, { notice });
    },
  );

  for (const kind of ['unlock', 'unbind'] as const) {
    app.post<{ Body: Body }>(`/console/person/${kind}`, { schema: actionSchema }, async (req, reply) => {
      const session = await kit.authorized(req, reply);
      if (!session) return reply;
      const query = req.body.q ?? '';
      const serial = req.body.serial ?? '';
      // The reason field is named after the row it sits in; a hand-made post may call it `reason`.
      const reason = Object.entries(req.body).find(([k]) => k === 'reason' || k.startsWith(`reason-${kind}-`))?.[1];
      if (!reason?.trim()) {
        const field = Object.keys(req.body).find((k) => k.startsWith(`reason-${kind}-`)) ?? 'reason';
        const errors = [{ field, message: 'console.reason_needed' as const }];
        return renderPerson(reply, session, query, { errors, status: 400 });
      }
      try {
        await kit.adminFor(session).tokens[kind](serial, reason);
      } catch (err) {
        return kit.refusal(reply, err);
      }
      const next = new URLSearchParams({ q: query, done: kind, serial });
      return reply.redirect(`/console/person?${next}`, 303);
    });
  }
}
