// The audit log in the console: auditors and administrators read all of it (helpdesk agents only what concerns a
// person of their group, as the admin service decides) and check its chain.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AdminError } from '../../admin/index.ts';
import { messagePage } from '../pages/account-pages.ts';
import { auditPage, type AuditPageModel } from '../pages/console-pages.ts';
import type { Body, ConsoleKit } from './kit.ts';
import { decodeCursor, pageOf, pageSizeOf } from './paging.ts';
import type { ConsoleSession } from './session.ts';

const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
type AuditQuerystring = { user?: string; action?: string; before?: string; cursor?: string; size?: string };
/** An event's place in the pages: when it was written, and its `id` for events of the same millisecond. */
const keyOf = (e: { at: number; id: number }) => [e.at, e.id];

export function registerConsoleAudit(app: FastifyInstance, kit: ConsoleKit): void {
  async function render(
    reply: FastifyReply,
    session: ConsoleSession,
    query: AuditQuerystring,
    verified?: AuditPageModel['verified'],
  ) {
    const admin = kit.adminFor(session);
    const user = query.user?.trim() || undefined;
    const action = query.action?.trim() || undefined;
    const { name, roles } = await admin.roles.mine();
    const frame = { csrf: kit.csrfFor(session), operator: name, roles: [...roles] };
    const model: AuditPageModel = { user: user ?? '', action: action ?? '', events: [], verified };
    const size = pageSizeOf(query.size);
    const cursor = decodeCursor(query.cursor, ['number', 'number']);
    if (cursor === null) return kit.page(reply, 400, messagePage('console.title', 'console.bad_page'));
    // `before=ID`: the older links of the pages before cursors, still answered.
    const before = query.before === undefined ? undefined : Number(query.before);
    if (before !== undefined || cursor !== undefined) model.paged = true;
    const from = cursor && {
      at: Number(cursor.key[0]),
      id: Number(cursor.key[1]),
      toward: cursor.toward === 'next' ? ('older' as const) : ('newer' as const),
    };
    try {
      const listed = await admin.audit.list({ user, action, before, from, limit: size + 1 });
      const { names } = listed;
      const page = pageOf(
        listed.events,
        size,
        cursor ?? (before === undefined ? undefined : { toward: 'next', key: [] }),
        keyOf,
      );
      Object.assign(model, { next: page.next, prev: page.prev, size: query.size === undefined ? undefined : size });
      model.events = page.rows.map((e) => ({
        ...e,
        subject: e.subject === null ? '' : (names.get(e.subject) ?? e.subject),
      }));
    } catch (err) {
      if (err instanceof AdminError && err.code === 'admin.invalid_page') {
        return kit.page(reply, 400, messagePage('console.title', 'console.bad_page'));
      }
      if (!(err instanceof AdminError && err.code === 'admin.invalid_action')) return kit.refusal(reply, err);
      model.errors = [{ field: 'action', message: 'console.audit_bad_action' }];
      return kit.page(reply, 400, auditPage(frame, model));
    }
    return kit.page(reply, 200, auditPage(frame, model));
  }

  app.get<{ Querystring: AuditQuerystring }>(
    '/console/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            user: text(256),
            action: text(128),
            before: { type: 'string', pattern: '^[0-9]{1,15}$' },
            // Checked by decodeCursor: a malformed one gets the page's own message, not the generic one.
            cursor: text(2048),
            size: { type: 'string', pattern: '^[0-9]{1,6}$' },
          },
        },
      },
    },
    async (req, reply) => {
      const session = await kit.signedIn(req, reply);
      if (!session) return reply;
      return render(reply, session, req.query);
    },
  );

  app.post<{ Body: Body }>('/console/audit/verify', async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    try {
      const result = await kit.adminFor(session).audit.verify();
      return render(
        reply,
        session,
        {},
        result.ok
          ? { ok: true, events: result.events, chains: result.chains.length }
          : { ok: false, brokenAt: result.brokenAt, chain: result.chain },
      );
    } catch (err) {
      return kit.refusal(reply, err);
    }
  });
}
