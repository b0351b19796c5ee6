// The helpdesk's pages: find a person (by any form of their name, e-mail address or a token's serial), see their
// tokens and recent events, and unlock or unbind a token with a reason. What an agent may see and touch is decided by
// the admin service for the person signed in; a URL edited by hand or a form posted by hand meets the same check.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MessageId } from '../../i18n/index.ts';
import {
  consoleHomePage,
  personPage,
  registrationCodePage,
  type ConsoleFrame,
  type PersonModel,
} from '../pages/console-pages.ts';
import type { ConsoleSession } from './session.ts';
import type { Body, ConsoleKit } from './kit.ts';

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const actionSchema = {
  body: {
    type: 'object',
    properties: { csrf: text(256), q: text(256), serial: text(64), reason: text(2000) },
    additionalProperties: { type: 'string', maxLength: 2000 },
  },
} as const;
const notices: Record<string, MessageId> = { unlock: 'console.unlocked', unbind: 'console.unbound' };

export function registerConsolePeople(app: FastifyInstance, kit: ConsoleKit): void {
  async function frameFor(session: ConsoleSession): Promise<ConsoleFrame> {
    const { name, roles } = await kit.adminFor(session).roles.mine();
    return { csrf: kit.csrfFor(session), operator: name, roles: [...roles] };
  }

  async function renderPerson(
    reply: FastifyReply,
    session: ConsoleSession,
    query: string,
    extra: Pick<PersonModel, 'notice' | 'errors'> & { status?: number } = {},
  ) {
    const admin = kit.adminFor(session);
    try {
      const { account, tokens } = await admin.people.find(query);
      const login = account.username ?? account.email ?? query;
      const { events } = await admin.audit.list({ user: login, limit: 20 });
      const model: PersonModel = {
        query,
        person: account,
        tokens,
        events,
        now: kit.options.clock.now(),
        ...extra,
      };
      return kit.page(reply, extra.status ?? 200, personPage(await frameFor(session), model));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  }

  app.get('/console', async (req, reply) => {
    const session = await kit.signedIn(req, reply);
    if (!session) return reply;
    try {
      return kit.page(reply, 200, consoleHomePage(await frameFor(session)));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  });

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
}
