import { sql, type Kysely } from 'kysely';
import { isUniqueViolation, prepared, type Database, type PreparedQuery } from '../../store/index.ts';
import type { AuditStore, ChainedEvent, EventQuery } from '../store.ts';

const columns = [
  'at',
  'actor',
  'action',
  'subject',
  'source',
  'outcome',
  'details',
  'seq',
  'prev_hash',
  'hash',
] as const;
type Params = Record<string, string | number | null>;

// LIKE with its wildcards escaped: action names have underscores (password_reset), user names anything.
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/**
 * The list's order and its keyset page, in one place: newest first by (at, seq) — an index range (audit_events_at),
 * so a page far back costs what the first one does. Going toward newer events reads them oldest first; list()
 * turns the page round.
 */
function paged(db: Kysely<Database>, from: EventQuery['from']) {
  const query = db.selectFrom('audit_events');
  if (from === undefined) return query.orderBy('at', 'desc').orderBy('seq', 'desc');
  const [op, order] = from.toward === 'older' ? (['<', 'desc'] as const) : (['>', 'asc'] as const);
  return (
    query
      // A row value: one index condition on (at, seq), where an OR of the two would be two scans and a sort.
      .where(sql<boolean>`(${sql.ref('at')}, ${sql.ref('seq')}) ${sql.raw(op)} (${from.at}, ${from.seq})`)
      .orderBy('at', order)
      .orderBy('seq', order)
  );
}

function listQuery(db: Kysely<Database>, { who, action, before, from, limit }: EventQuery) {
  let query = paged(db, from)
    .select(['seq', 'at', 'actor', 'action', 'subject', 'source', 'outcome', 'details'])
    .limit(limit);
  // The details are JSON the audit module wrote, so `"user":<the name as JSON>` is how a name typed appears in them.
  if (who !== undefined) {
    const typed = `%${likeEscaped(`"user":${JSON.stringify(who.name)}`)}%`.toLowerCase();
    query = query.where((eb) =>
      eb.or([
        eb('subject', 'in', who.accountId === undefined ? [who.name] : [who.name, who.accountId]),
        sql<boolean>`lower(${eb.ref('details')}) like ${typed} escape '\\'`,
      ]),
    );
  }
  // The chain's place is the primary key: a page further back is an index range, however long the log.
  if (before !== undefined) query = query.where('seq', '<', before);
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

export function createSqlAuditStore(db: Kysely<Database>): AuditStore {
  const eventOf = prepared((db, p: { action: string; subject: string }) =>
    db
      .selectFrom('audit_events')
      .select('seq')
      .where('subject', '=', p.subject)
      .where('action', '=', p.action)
      .limit(1),
  );
  // Every append is one INSERT of its rows; each size is compiled once (see `prepared`), its parameters named by
  // column and row (`seq0`, `seq1`, …).
  const insertOfSize = new Map<number, { insert: PreparedQuery<Params, unknown>; names: string[][] }>();
  function insertRows(rows: ChainedEvent[]) {
    let entry = insertOfSize.get(rows.length);
    if (entry === undefined) {
      const names = rows.map((_, i) => columns.map((c) => `${c}${i}`));
      const insert = prepared((db, p: Params) =>
        db
          .insertInto('audit_events')
          .values(
            names.map((row) => Object.fromEntries(columns.map((c, j) => [c, p[row[j]]])) as unknown as ChainedEvent),
          ),
      );
      entry = { insert, names };
      insertOfSize.set(rows.length, entry);
    }
    const params: Params = {};
    for (const [i, row] of rows.entries()) {
      for (const [j, c] of columns.entries()) params[entry.names[i][j]] = row[c];
    }
    return entry.insert(db, params);
  }

  return {
    async tail() {
      return db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    },
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
        .orderBy('seq')
        .execute();
    },
    async all() {
      return db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    },
  };
}
