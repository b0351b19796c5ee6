// The person page as every helpdesk route renders it (after an action, or with a form's errors), and the frame of
// every console page: who is signed in and with which roles.
import type { FastifyReply } from 'fastify';
import { personPage, type ConsoleFrame, type PersonModel } from '../pages/console-pages.ts';
import type { ConsoleKit } from './kit.ts';
import { encodeCursor } from './paging.ts';
import type { ConsoleSession } from './session.ts';

/** The person's newest events on their page; older ones are on the audit page, a page at a time. */
const eventsShown = 20;
export const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
export const actionSchema = {
  body: {
    type: 'object',
    properties: { csrf: text(256), q: text(256), serial: text(64), reason: text(2000) },
    additionalProperties: { type: 'string', maxLength: 2000 },
  },
} as const;

export function personView(kit: ConsoleKit) {
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
      const { events } = await admin.audit.list({ user: login, limit: eventsShown });
      const sessions = await admin.sessions.list(login);
      const vpnSessions = await admin.vpnSessions.list({ active: true, user: login, limit: 20 });
      const model: PersonModel = {
        query,
        login,
        person: account,
        tokens,
        events,
        olderCursor:
          events.length === eventsShown
            ? encodeCursor('next', [events[eventsShown - 1].at, events[eventsShown - 1].id])
            : undefined,
        signedIn: { sessions, vpnSessions },
        now: kit.options.clock.now(),
        ...extra,
      };
      return kit.page(reply, extra.status ?? 200, personPage(await frameFor(session), model));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  }

  return { frameFor, renderPerson };
}
