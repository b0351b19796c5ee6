// The console's search: one person named exactly (a sign-in name, a serial, an employee ID) opens their page;
// otherwise the people whose user name (or e-mail address, for those without) starts with what was typed, as many
// as the agent may see (the admin service keeps the list to their scope), a keyset page at a time.
import { AdminError } from '../../admin/index.ts';
import type { FastifyInstance } from 'fastify';
import { messagePage } from '../pages/account-pages.ts';
import { peoplePage, type ConsoleFrame } from '../pages/console-pages.ts';
import type { ConsoleKit } from './kit.ts';
import { decodeCursor, encodeCursor, pageSizeOf } from './paging.ts';
import { text } from './person-view.ts';
import type { ConsoleSession } from './session.ts';

const place = (p: { key: string; id: string } | undefined, toward: 'next' | 'prev') =>
  p && encodeCursor(toward, [p.key, p.id]);

export function registerPeopleSearch(
  app: FastifyInstance,
  kit: ConsoleKit,
  frameFor: (session: ConsoleSession) => Promise<ConsoleFrame>,
): void {
  app.get<{ Querystring: { q?: string; cursor?: string; size?: string } }>(
    '/console/people',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { q: text(256), cursor: text(2048), size: { type: 'string', pattern: '^[0-9]{1,6}$' } },
        },
      },
    },
    async (req, reply) => {
      const session = await kit.signedIn(req, reply);
      if (!session) return reply;
      const query = req.query.q?.trim() ?? '';
      const cursor = decodeCursor(req.query.cursor, ['string', 'string']);
      if (cursor === null) return kit.page(reply, 400, messagePage('console.title', 'console.bad_page'));
      const size = pageSizeOf(req.query.size);
      const from = cursor && { key: String(cursor.key[0]), id: String(cursor.key[1]), toward: cursor.toward };
      try {
        const admin = kit.adminFor(session);
        const found = await admin.people.search({ query, from, limit: size });
        if (found.exact) return reply.redirect(`/console/person?${new URLSearchParams({ q: query })}`, 303);
        const people = found.people.map((a) => ({
          login: a.username ?? a.email ?? a.id,
          name: a.name,
          email: a.email,
          kind: a.kind,
          status: a.status,
        }));
        const model = {
          query,
          people,
          next: place(found.next, 'next'),
          prev: place(found.prev, 'prev'),
          size: req.query.size === undefined ? undefined : size,
        };
        return kit.page(reply, 200, peoplePage(await frameFor(session), model));
      } catch (err) {
        if (err instanceof AdminError && err.code === 'admin.invalid_page') {
          return kit.page(reply, 400, messagePage('console.title', 'console.bad_page'));
        }
        return kit.refusal(reply, err);
      }
    },
  );
}
