// Append-only, hash-chained audit log: each event's hash covers the previous one, so removing or
// editing a row breaks the chain and `verify()` says where.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isUniqueViolation, prepared, type AuditEventsTable, type Database, type PreparedQuery } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

export interface AuditEvent {
  actor: string;
  action: string;
  subject?: string | null;
  source?: string | null;
  outcome: 'success' | 'failure' | 'denied' | (string & {});
  details?: Record<string, unknown>;
  /**
   * Steps of this event that an earlier request recorded (see `takeSteps`): they come first in `details.steps`, and
   * when the event names no subject it is about the last subject they name.
   */
  steps?: readonly AuditStep[];
}

/** An event recorded as a step of another, as `takeSteps` hands it out to be kept (it is plain JSON). */
export interface AuditStep {
  actor: string;
  action: string;
  subject: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

export interface Audit {
  record(event: AuditEvent): Promise<void>;
  /**
   * Runs `action` as one audited event: what its steps record (a directory sign-in, a code check, a token lock) is
   * kept and appended, when the action ends, as one row: the last event recorded, with the earlier ones in order
   * under `details.steps`; when the last event names no subject, the row is about the last subject a step named.
   * Nothing is dropped, also when the action throws; events it did not record itself (other requests) are appended
   * as usual.
   */
  asOneEvent<T>(action: () => Promise<T>): Promise<T>;
  /**
   * Inside `asOneEvent`: takes out what the action's steps recorded so far, for an action that goes on in a later
   * request (a RADIUS Access-Challenge: the password in one packet, the code in the next). None of it is appended
   * now; the event that concludes the action, later, carries them (`AuditEvent.steps`). Outside it: nothing.
   */
  takeSteps(): AuditStep[];
  /**
   * Whether an event with this action and subject was ever recorded; with `details`, one whose details hold each of
   * these entries as it was recorded (e.g. a VPN login that passed a code: `{ factors: ['pwd', 'otp'] }`).
   */
  hasEvent(action: string, subject: string, details?: Record<string, unknown>): Promise<boolean>;
  /**
   * The newest events first, for the helpdesk. `who`: events about the account or the name, and those whose
   * `details.user` is the name as typed (a VPN login; without case). `action`: that action or those under it
   * (`radius` takes `radius.accept` and `radius.reject`).
   */
  list(query: { who?: { name: string; accountId?: string }; action?: string; limit: number }): Promise<RecordedEvent[]>;
  verify(): Promise<{ ok: true; events: number } | { ok: false; brokenAt: number }>;
}

/** An event as stored, its details read back; the chain's hashes stay with verify(). */
export type RecordedEvent = Omit<AuditEventsTable, 'details' | 'prev_hash' | 'hash'> & { details: Record<string, unknown> };

const genesis = '0'.repeat(64);
// Rows per INSERT: far below either database's limit on bound parameters (ten per row).
const maxBatch = 100;

interface Row { at: number; actor: string; action: string; subject: string | null; source: string | null; outcome: string; details: string }

// LIKE with its wildcards escaped: action names have underscores (password_reset), user names anything.
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, '\\$&');

const eventOf = prepared((db, p: { action: string; subject: string }) =>
  db.selectFrom('audit_events').select('seq').where('subject', '=', p.subject).where('action', '=', p.action).limit(1));

type Chained = Row & { seq: number; prev_hash: string; hash: string };
const columns = ['at', 'actor', 'action', 'subject', 'source', 'outcome', 'details', 'seq', 'prev_hash', 'hash'] as const;
// Every append is one INSERT of 1 to maxBatch rows; each size is compiled once (see `prepared`), its parameters
// named by column and row (`seq0`, `seq1`, …).
type Params = Record<string, string | number | null>;
const insertOfSize = new Map<number, { insert: PreparedQuery<Params, unknown>; names: string[][] }>();
function insertRows(db: Kysely<Database>, rows: Chained[]) {
  let entry = insertOfSize.get(rows.length);
  if (entry === undefined) {
    const names = rows.map((_, i) => columns.map((c) => `${c}${i}`));
    const insert = prepared((db, p: Params) => db.insertInto('audit_events').values(
      names.map((row) => Object.fromEntries(columns.map((c, j) => [c, p[row[j]]])) as unknown as Chained)));
    entry = { insert, names };
    insertOfSize.set(rows.length, entry);
  }
  const params: Params = {};
  rows.forEach((row, i) => columns.forEach((c, j) => { params[entry.names[i][j]] = row[c]; }));
  return entry.insert(db, params);
}

/**
 * The row of an event with its steps under `details.steps`, in order. An event that does not say whom it is about (a
 * VPN login refused at the password) is about whom its steps found, so that it is listed with that person's other
 * events; a step says who and about whom only where that differs from the event it is part of.
 */
function withSteps(row: Omit<Row, 'details'>, details: Record<string, unknown>, steps: readonly AuditStep[]): Row {
  const subject = row.subject ?? steps.findLast((s) => s.subject !== null)?.subject ?? null;
  if (steps.length === 0) return { ...row, subject, details: JSON.stringify(details) };
  const shown = steps.map((s) => ({
    action: s.action, outcome: s.outcome,
    ...(s.actor !== row.actor ? { actor: s.actor } : {}),
    ...(s.subject !== subject ? { subject: s.subject } : {}),
    ...(Object.keys(s.details).length > 0 ? { details: s.details } : {}),
  }));
  return { ...row, subject, details: JSON.stringify({ ...details, steps: shown }) };
}

function chainHash(prev: string, row: Row & { seq: number }): string {
  return createHash('sha256').update(JSON.stringify([prev, row.seq, row.at, row.actor, row.action, row.subject, row.source, row.outcome, row.details])).digest('hex');
}

/**
 * `currentSource` tells the address of the request being served (the HTTP layer keeps it per request), so domain
 * code records its events without knowing about requests.
 */
export function createAudit(db: Kysely<Database>, clock: Clock, currentSource: () => string | undefined = () => undefined): Audit {
  let tail: { seq: number; hash: string } | undefined;
  // This node's appends go one after the other; only another node's append can collide with ours. Events recorded
  // in the same turn of the event loop, or while an append is under way, are appended together, in order, by one
  // INSERT: under load a burst of sign-ins costs one statement and one commit instead of one each.
  let waiting: Array<{ row: Row; resolve: () => void; reject: (err: unknown) => void }> = [];
  let appending = false;
  // The events recorded inside asOneEvent, details still as objects so that they can be nested.
  type Gathered = { events: Array<{ row: Omit<Row, 'details'>; details: Record<string, unknown>; carried: readonly AuditStep[] }>; open: boolean };
  const gathering = new AsyncLocalStorage<Gathered>();
  // The steps of gathered events in the order they ran: what an event carries from an earlier request comes first.
  const stepsOf = (events: Gathered['events']) => events.flatMap(({ row, details, carried }): AuditStep[] => [
    ...carried, { actor: row.actor, action: row.action, subject: row.subject, outcome: row.outcome, details },
  ]);

  const append = async (rows: Row[]) => {
    // The sequence number is the primary key: appending after the tail this node saw last needs no read, and
    // when another node appended meanwhile the insert fails, the tail is read again and the append retried.
    for (let attempt = 0; ; attempt++) {
      tail ??= await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst() ?? { seq: 0, hash: genesis };
      let { seq, hash } = tail;
      const chained = rows.map((row): Chained => {
        const link = { ...row, seq: ++seq, prev_hash: hash };
        hash = chainHash(link.prev_hash, link);
        return { ...link, hash };
      });
      try {
        await insertRows(db, chained);
        tail = { seq, hash };
        return;
      } catch (err) {
        tail = undefined;
        if (!isUniqueViolation(err) || attempt >= 50) throw err;
      }
    }
  };

  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      try {
        await append(batch.map((w) => w.row));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    appending = false;
  };

  const enqueue = (row: Row) => new Promise<void>((resolve, reject) => {
    waiting.push({ row, resolve, reject });
    // Started on the next turn of the event loop, so the events of requests served in this turn share it.
    if (!appending) {
      appending = true;
      setImmediate(drain);
    }
  });

  return {
    record(event) {
      const details = event.details ?? {};
      // Read now: the time of the event, and the source of the request recording it.
      const row = {
        at: clock.now(),
        actor: event.actor,
        action: event.action,
        subject: event.subject ?? null,
        source: event.source ?? currentSource() ?? null,
        outcome: event.outcome,
      };
      const carried = event.steps ?? [];
      const gathered = gathering.getStore();
      if (gathered?.open) {
        gathered.events.push({ row, details, carried });
        return Promise.resolve();
      }
      return enqueue(withSteps(row, details, carried));
    },
    async asOneEvent(action) {
      const gathered: Gathered = { events: [], open: true };
      try {
        return await gathering.run(gathered, action);
      } finally {
        gathered.open = false;
        const concluding = gathered.events.pop();
        // What the concluding event carries from an earlier request ran before anything this request recorded.
        if (concluding !== undefined) await enqueue(withSteps(concluding.row, concluding.details, [...concluding.carried, ...stepsOf(gathered.events)]));
      }
    },
    takeSteps() {
      const gathered = gathering.getStore();
      return gathered?.open ? stepsOf(gathered.events.splice(0)) : [];
    },
    async hasEvent(action, subject, details) {
      if (details === undefined) return (await eventOf(db, { action, subject })).rows.length > 0;
      // The details are JSON this module wrote: an entry appears in them as `"name":<its value as JSON>`.
      let query = db.selectFrom('audit_events').select('seq')
        .where('subject', '=', subject).where('action', '=', action);
      for (const [name, value] of Object.entries(details)) {
        const entry = `%${likeEscaped(`${JSON.stringify(name)}:${JSON.stringify(value)}`)}%`;
        query = query.where(sql<boolean>`${sql.ref('details')} like ${entry} escape '\\'`);
      }
      return (await query.limit(1).execute()).length > 0;
    },
    async list({ who, action, limit }) {
      let query = db.selectFrom('audit_events').select(['seq', 'at', 'actor', 'action', 'subject', 'source', 'outcome', 'details']).orderBy('seq', 'desc').limit(limit);
      // The details are JSON this module wrote, so `"user":<the name as JSON>` is how a name typed appears in them.
      if (who !== undefined) {
        const typed = `%${likeEscaped(`"user":${JSON.stringify(who.name)}`)}%`.toLowerCase();
        query = query.where((eb) => eb.or([
          eb('subject', 'in', who.accountId === undefined ? [who.name] : [who.name, who.accountId]),
          sql<boolean>`lower(${eb.ref('details')}) like ${typed} escape '\\'`,
        ]));
      }
      if (action !== undefined) query = query.where((eb) => eb.or([eb('action', '=', action), sql<boolean>`${eb.ref('action')} like ${`${likeEscaped(action)}.%`} escape '\\'`]));
      return (await query.execute()).map((row) => ({ ...row, seq: Number(row.seq), at: Number(row.at), details: JSON.parse(row.details) as Record<string, unknown> }));
    },
    async verify() {
      let prev = genesis;
      let count = 0;
      for (const row of await db.selectFrom('audit_events').selectAll().orderBy('seq').execute()) {
        if (row.seq !== count + 1 || row.prev_hash !== prev || chainHash(prev, row) !== row.hash) return { ok: false, brokenAt: row.seq };
        prev = row.hash;
        count++;
      }
      return { ok: true, events: count };
    },
  };
}
