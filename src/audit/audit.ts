// Append-only, hash-chained audit log: each event's hash covers the previous one, so removing or
// editing a row breaks the chain and `verify()` says where.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { AuditStore, ChainedEvent, EventQuery, RecordedEvent } from './store.ts';

/**
 * What a domain service reports about a subject, without an actor: the composition root records it, with the subject
 * as the actor unless a caller says otherwise.
 */
export type DomainEvent = Omit<AuditEvent, 'actor' | 'steps'>;
/** How a domain service reports its events (the audit log, or nothing in a test). */
export type ReportEvent = (event: DomainEvent) => Promise<void>;

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
  /** Whether an event with this action and subject was ever recorded (e.g. a person's first VPN login with a code). */
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
  list(query: EventQuery): Promise<RecordedEvent[]>;
  /** The events about the account, oldest first, for its owner's data export. */
  about(subject: string): Promise<Array<{ at: number; action: string; outcome: string; source: string | null }>>;
  verify(): Promise<{ ok: true; events: number } | { ok: false; brokenAt: number }>;
}

const genesis = '0'.repeat(64);
// Rows per INSERT: far below either database's limit on bound parameters (ten per row).
const maxBatch = 100;

/** An event as it is appended: the chain's place and hashes are the append's to give. */
type Row = Omit<ChainedEvent, 'seq' | 'prev_hash' | 'hash'>;

/**
 * The row of an event with its steps under `details.steps`, in order. An event that does not say whom it is about (a
 * VPN login refused at the password) is about whom its steps found, so that it is listed with that person's other
 * events; a step says who and about whom only where that differs from the event it is part of.
 */
function withSteps(row: Omit<Row, 'details'>, details: Record<string, unknown>, steps: readonly AuditStep[]): Row {
  const subject = row.subject ?? steps.findLast((s) => s.subject !== null)?.subject ?? null;
  if (steps.length === 0) return { ...row, subject, details: JSON.stringify(details) };
  const shown = steps.map((s) => ({
    action: s.action,
    outcome: s.outcome,
    ...(s.actor !== row.actor ? { actor: s.actor } : {}),
    ...(s.subject !== subject ? { subject: s.subject } : {}),
    ...(Object.keys(s.details).length > 0 ? { details: s.details } : {}),
  }));
  return { ...row, subject, details: JSON.stringify({ ...details, steps: shown }) };
}

function chainHash(prev: string, row: Row & { seq: number }): string {
  return createHash('sha256')
    .update(
      JSON.stringify([prev, row.seq, row.at, row.actor, row.action, row.subject, row.source, row.outcome, row.details]),
    )
    .digest('hex');
}

// The events recorded inside asOneEvent, details still as objects so that they can be nested.
interface Gathered {
  events: Array<{ row: Omit<Row, 'details'>; details: Record<string, unknown>; carried: readonly AuditStep[] }>;
  open: boolean;
}

// The steps of gathered events in the order they ran: what an event carries from an earlier request comes first.
const stepsOf = (events: Gathered['events']) =>
  events.flatMap(({ row, details, carried }): AuditStep[] => [
    ...carried,
    { actor: row.actor, action: row.action, subject: row.subject, outcome: row.outcome, details },
  ]);

/**
 * Appends rows to the chain in order, in batches; the promise of each row settles when its batch is appended.
 * This node's appends go one after the other; only another node's append can collide with ours. Events recorded
 * in the same turn of the event loop, or while an append is under way, are appended together, in order, by one
 * INSERT: under load a burst of sign-ins costs one statement and one commit instead of one each.
 */
function appendQueue(store: AuditStore): (row: Row) => Promise<void> {
  let tail: { seq: number; hash: string } | undefined;
  let waiting: Array<{ row: Row; resolve: () => void; reject: (err: unknown) => void }> = [];
  let appending = false;

  const append = async (rows: Row[]) => {
    // The sequence number is the primary key: appending after the tail this node saw last needs no read, and
    // when another node appended meanwhile the insert fails, the tail is read again and the append retried.
    for (let attempt = 0; ; attempt++) {
      tail ??= (await store.tail()) ?? { seq: 0, hash: genesis };
      let { seq, hash } = tail;
      const chained = rows.map((row): ChainedEvent => {
        const link = { ...row, seq: ++seq, prev_hash: hash };
        hash = chainHash(link.prev_hash, link);
        return { ...link, hash };
      });
      let appended: 'appended' | 'taken';
      try {
        appended = await store.append(chained);
      } catch (err) {
        tail = undefined;
        throw err;
      }
      if (appended === 'appended') {
        tail = { seq, hash };
        return;
      }
      tail = undefined;
      if (attempt >= 50) throw new Error('audit: another node kept taking the next place in the chain');
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

  return (row: Row) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ row, resolve, reject });
      // Started on the next turn of the event loop, so the events of requests served in this turn share it.
      if (!appending) {
        appending = true;
        setImmediate(drain);
      }
    });
}

/**
 * `currentSource` tells the address of the request being served (the HTTP layer keeps it per request), so domain
 * code records its events without knowing about requests.
 */
export function createAudit(
  store: AuditStore,
  clock: Clock,
  currentSource: () => string | undefined = () => undefined,
): Audit {
  const enqueue = appendQueue(store);
  const gathering = new AsyncLocalStorage<Gathered>();

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
        if (concluding !== undefined)
          await enqueue(
            withSteps(concluding.row, concluding.details, [...concluding.carried, ...stepsOf(gathered.events)]),
          );
      }
    },
    takeSteps() {
      const gathered = gathering.getStore();
      return gathered?.open ? stepsOf(gathered.events.splice(0)) : [];
    },
    hasEvent: (action, subject, details) => store.hasEvent(action, subject, details),
    list: (query) => store.list(query),
    about: (subject) => store.about(subject),
    async verify() {
      let prev = genesis;
      let count = 0;
      for (const row of await store.all()) {
        if (row.seq !== count + 1 || row.prev_hash !== prev || chainHash(prev, row) !== row.hash)
          return { ok: false, brokenAt: row.seq };
        prev = row.hash;
        count++;
      }
      return { ok: true, events: count };
    },
  };
}
