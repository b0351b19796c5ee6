import { sql, type Kysely } from 'kysely';
import { isUniqueViolation, prepared, type Database, type PreparedQuery } from '../../store/index.ts';
import type { AuditStore, ChainedEvent, ChainHead, EventQuery } from '../store.ts';

const columns = [
  'chain',
  'seq',
  'at',
  'actor',
  'action',
  'subject',
  'source',
  'outcome',
  'details',
  'user_typed',
  'prev_hash',
  'hash',
] as const;
type Params = Record<string, string | number | null>;
type Stored = ChainedEvent & { user_typed: string | null };

// Anchors are rows of their chain, kept out of the helpdesk's lists (the audit module's anchorAction).
const anchorAction = 'audit.anchor';

// LIKE with its wildcards escaped: action names have underscores (password_reset), user names anything.
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/**
 * The list's order and its keyset page, in one place: newest first by (at, id) — an index range on (at, id),
 * so a page far back costs what the first one does. Going toward newer events reads them oldest first; list()
 * turns the page round.
 */
function paged(db: Kysely<Database>, from: EventQuery['from']) {
  const query = db.selectFrom('audit_events');
  if (from === undefined) return query.orderBy('at', 'desc').orderBy('id', 'desc');
  const [op, order] = from.toward === 'older' ? (['<', 'desc'] as const) : (['>', 'asc'] as const);
  return (
    query
      // A row value: one index condition on (at, id), where an OR of the two would be two scans and a sort.
      .where(sql<boolean>`(${sql.ref('at')}, ${sql.ref('id')}) ${sql.raw(op)} (${from.at}, ${from.id})`)
      .orderBy('at', order)
      .orderBy('id', order)
  );
}

// The name typed at a VPN login (`details.user`), kept beside the JSON in lower case so that a search by it is an
// index range. Lower-cased here, not in SQL: SQLite's lower() knows ASCII only. PostgreSQL's text holds no NUL (a
// gateway may send one): it becomes U+FFFD, in the row and in the search alike.
const typedKey = (name: string) => name.toLowerCase().replaceAll('\u0000', '\uFFFD').slice(0, 320);
function userTyped(details: string): string | null {
  if (!details.includes('"user":')) return null;
  const user = (JSON.parse(details) as { user?: unknown }).user;
  return typeof user === 'string' ? typedKey(user) : null;
}

function listQuery(db: Kysely<Database>, { who, action, before, from, limit }: EventQuery) {
  let query = paged(db, from)
    .select(['id', 'chain', 'seq', 'at', 'actor', 'action', 'subject', 'source', 'outcome', 'details'])
    .where('action', '<>', anchorAction)
    .limit(limit);
  if (who !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('subject', 'in', who.accountId === undefined ? [who.name] : [who.name, who.accountId]),
        eb('user_typed', '=', typedKey(who.name)),
      ]),
    );
  }
  // An index range on (at, id) from the event the page before ended with, however long the log.
  if (before !== undefined)
    query = query.where(
      sql<boolean>`(${sql.ref('at')}, ${sql.ref('id')}) < (select b.at, b.id from audit_events b where b.id = ${before})`,
    );
  if (action !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('action', '=', action),
        sql<boolean>`${eb.ref('action')} like ${`${likeEscaped(action)}.%`} escape '\\'`,
      ]),
    );
  }
  return query;
}

function inserter(db: Kysely<Database>) {
  // Every append is one INSERT of its rows; each size is compiled once (see `prepared`), its parameters named by
  // column and row (`seq0`, `seq1`, …).
  const insertOfSize = new Map<number, { insert: PreparedQuery<Params, unknown>; names: string[][] }>();
  return (rows: ChainedEvent[]) => {
    let entry = insertOfSize.get(rows.length);
    if (entry === undefined) {
      const names = rows.map((_, i) => columns.map((c) => `${c}${i}`));
      const insert = prepared((db, p: Params) =>
        db
          .insertInto('audit_events')
          .values(names.map((row) => Object.fromEntries(columns.map((c, j) => [c, p[row[j]]])) as unknown as Stored)),
      );
      entry = { insert, names };
      insertOfSize.set(rows.length, entry);
    }
    const params: Params = {};
    for (const [i, row] of rows.entries()) {
      const stored: Stored = { ...row, user_typed: userTyped(row.details) };
      for (const [j, c] of columns.entries()) params[entry.names[i][j]] = stored[c];
    }
    return entry.insert(db, params);
  };
}

// One statement, an index probe per chain: the registry is small (a row per process start), the log is not.
async function headsOf(db: Kysely<Database>, except: string): Promise<ChainHead[]> {
  const { rows } = await sql<{ chain: string; seq: number | null; hash: string | null }>`
    select c.chain,
      (select e.seq from audit_events e where e.chain = c.chain order by e.seq desc limit 1) as seq,
      (select e.hash from audit_events e where e.chain = c.chain order by e.seq desc limit 1) as hash
    from audit_chains c where c.chain <> ${except} order by c.chain`.execute(db);
  return rows
    .filter((r) => r.seq !== null && r.hash !== null)
    .map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: r.hash as string }));
}

export function createSqlAuditStore(db: Kysely<Database>): AuditStore {
  const eventOf = prepared((db, p: { action: string; subject: string }) =>
    db
      .selectFrom('audit_events')
      .select('seq')
      .where('subject', '=', p.subject)
      .where('action', '=', p.action)
      .limit(1),
  );
  const tailOf = prepared((db, p: { chain: string }) =>
    db
      .selectFrom('audit_events')
      .select(['chain', 'seq', 'hash'])
      .where('chain', '=', p.chain)
      .orderBy('seq', 'desc')
      .limit(1),
  );
  const insertRows = inserter(db);
  const chainOrder = (rows: Array<ChainedEvent & { id?: number; user_typed?: string | null }>): ChainedEvent[] =>
    rows.map(({ id: _, user_typed: __, ...row }) => ({ ...row, seq: Number(row.seq), at: Number(row.at) }));

  return {
    async tail(chain) {
      const [head] = (await tailOf(db, { chain })).rows as ChainHead[];
      return head === undefined ? undefined : { ...head, seq: Number(head.seq) };
    },
    async register(chain, at) {
      await db
        .insertInto('audit_chains')
        .values({ chain, started_at: at })
        .onConflict((oc) => oc.column('chain').doNothing())
        .execute();
    },
    heads: (except) => headsOf(db, except),
    async append(events) {
      try {
        await insertRows(events);
        return 'appended';
      } catch (err) {
        if (isUniqueViolation(err)) return 'taken';
        throw err;
      }
    },
    async hasEvent(action, subject, details) {
      if (details === undefined) return (await eventOf(db, { action, subject })).rows.length > 0;
      // The details are JSON this module wrote: an entry appears in them as `"name":<its value as JSON>`.
      let query = db
        .selectFrom('audit_events')
        .select('seq')
        .where('subject', '=', subject)
        .where('action', '=', action);
      for (const [name, value] of Object.entries(details)) {
        const entry = `%${likeEscaped(`${JSON.stringify(name)}:${JSON.stringify(value)}`)}%`;
        query = query.where(sql<boolean>`${sql.ref('details')} like ${entry} escape '\\'`);
      }
      return (await query.limit(1).execute()).length > 0;
    },
    async list(query) {
      const rows = await listQuery(db, query).execute();
      if (query.from?.toward === 'newer') rows.reverse();
      return rows.map((row) => ({
        ...row,
        id: Number(row.id),
        seq: Number(row.seq),
        at: Number(row.at),
        details: JSON.parse(row.details) as Record<string, unknown>,
      }));
    },
    async about(subject) {
      return db
        .selectFrom('audit_events')
        .select(['at', 'action', 'outcome', 'source'])
        .where('subject', '=', subject)
        .orderBy('at')
        .orderBy('id')
        .execute();
    },
    async withAction(action) {
      return chainOrder(
        await db
          .selectFrom('audit_events')
          .selectAll()
          .where('action', '=', action)
          .orderBy('chain')
          .orderBy('seq')
          .execute(),
      );
    },
    async page(after, limit) {
      let query = db.selectFrom('audit_events').selectAll().orderBy('chain').orderBy('seq').limit(limit);
      if (after !== undefined)
        query = query.where(sql<boolean>`(${sql.ref('chain')}, ${sql.ref('seq')}) > (${after.chain}, ${after.seq})`);
      return chainOrder(await query.execute());
    },
  };
}
