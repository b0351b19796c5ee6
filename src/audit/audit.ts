// Append-only, hash-chained audit log: one chain per writing process, each event's hash covering the one before in
// its chain, so editing or removing a row breaks that chain and `verify()` says where; anchors (a chain recording
// the heads of the others) catch a chain's tail removed after another chain saw it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock/index.ts';
import type { AuditStore, ChainedEvent, ChainHead, EventQuery, RecordedEvent } from './store.ts';

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
  /**
   * Checks every chain on its own and every anchor against the chain it names. What it cannot see: rows removed
   * from the end of a chain that no anchor saw yet (the newest rows of the last process to write), and a whole
   * chain rewritten along with every anchor that saw it.
   */
  verify(): Promise<AuditVerdict>;
  /** Stops the anchor timer (the process may end without it: the timer does not hold it open). */
  close(): void;
}

const genesis = '0'.repeat(64);
// Rows per INSERT: far below either database's limit on bound parameters (twelve per row).
const maxBatch = 100;
/** The chain the rows written before chains existed (migration 0020) make up; hashed as they were written. */
export const legacyChain = 'legacy';
/** Anchors are rows of their writer's chain: this action, details `{ heads: [[chain, seq, hash], …] }`. */
export const anchorAction = 'audit.anchor';

/** An event as it is appended: the chain's place and hashes are the append's to give. */
type Row = Omit<ChainedEvent, 'chain' | 'seq' | 'prev_hash' | 'hash'>;

export interface AuditOptions {
  /**
   * This writer's chain. Give every process its own (the composition root uses `<node>/<worker>/<random>`); two
   * given the same one stay correct, each re-reading the head after the other's append, but they wait on each other.
   */
  chain?: string;
  /** An anchor after this many of its own rows… */
  anchorEveryRows?: number;
  /** …or after this long, whichever comes first (only when some chain moved since the last one). */
  anchorEverySeconds?: number;
  /** Told what an operator should know (two processes sharing one chain; an anchor that could not be written). */
  warn?: (message: string) => void;
}

/** What verify found in one chain. */
export interface ChainVerdict {
  chain: string;
  /** Its events, anchors not counted. */
  events: number;
  anchors: number;
  /** Its newest place. */
  head: number;
  ok: boolean;
  /** Where it first breaks, and why. */
  brokenAt?: number;
  problem?: ChainProblem;
  /** For a problem an anchor revealed: the anchor (its chain and place). */
  anchor?: { chain: string; seq: number };
}

/**
 * `changed`: the row's hash is not that of its fields (edited); `relinked`: it does not name the previous row's hash;
 * `missing`: places before it are gone (rows removed); `tail_removed`: an anchor saw the chain reach further than it
 * does now; `anchor_mismatch`: an anchor saw another hash at this place (this row, or that anchor, was forged).
 */
export type ChainProblem = 'changed' | 'relinked' | 'missing' | 'tail_removed' | 'anchor_mismatch';

export type AuditVerdict =
  | { ok: true; events: number; anchors: number; chains: ChainVerdict[] }
  | {
      ok: false;
      events: number;
      anchors: number;
      chains: ChainVerdict[];
      /** The first broken chain and where (also in `chains`). */
      chain: string;
      brokenAt: number;
      problem: ChainProblem;
    };

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

// The chain is part of what is hashed, so a row cannot be moved to another chain; the legacy rows keep the formula
// that wrote them.
function chainHash(prev: string, row: Row & { chain: string; seq: number }): string {
  const fields = [row.seq, row.at, row.actor, row.action, row.subject, row.source, row.outcome, row.details];
  return createHash('sha256')
    .update(JSON.stringify(row.chain === legacyChain ? [prev, ...fields] : [prev, row.chain, ...fields]))
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

// The anchor due now: the heads of the other chains that moved since the last one (none: nothing to anchor).
async function nextAnchor(
  store: AuditStore,
  clock: Clock,
  chain: string,
  anchored: ReadonlyMap<string, number>,
): Promise<{ row: Row; heads: ChainHead[] } | undefined> {
  const moved = (await store.heads(chain)).filter((h) => anchored.get(h.chain) !== h.seq);
  if (moved.length === 0) return undefined;
  const details = JSON.stringify({ heads: moved.map((h) => [h.chain, h.seq, h.hash]) });
  const row = {
    at: clock.now(),
    actor: 'tessera',
    action: anchorAction,
    subject: null,
    source: null,
    outcome: 'success',
    details,
  };
  return { row, heads: moved };
}

/**
 * Appends rows to this writer's chain in order, in batches; the promise of each row settles when its batch is
 * appended. No other process appends to this chain, so the head this process wrote last is the place to append
 * after: no read, no retry. Events recorded in the same turn of the event loop, or while an append is under way, are
 * appended together, in order, by one INSERT: under load a burst of sign-ins costs one statement and one commit.
 * Now and then the batch starts with an anchor: the heads of the other chains that moved since the last one.
 */
function appendQueue(
  store: AuditStore,
  clock: Clock,
  options: Required<Omit<AuditOptions, 'chain'>> & { chain: string },
) {
  const { chain, warn } = options;
  let tail: { seq: number; hash: string } | undefined;
  let waiting: Array<{ row: Row; resolve: () => void; reject: (err: unknown) => void }> = [];
  let appending = false;
  let registered = false;
  let warnedShared = false;
  // What this chain's last anchor recorded of each other chain; an anchor is due at the chain's start (covering
  // the tails of processes that ended before it), after anchorEveryRows rows, or when the timer says so.
  const anchored = new Map<string, number>();
  let rowsSinceAnchor = 0;
  let anchorDue = true;
  let timer: NodeJS.Timeout | undefined;

  const anchorRow = () => nextAnchor(store, clock, chain, anchored);

  const append = async (rows: Row[]) => {
    if (!registered) {
      await store.register(chain, clock.now());
      registered = true;
      // Anchors also when this process appends nothing more: bounded by the chains that moved meanwhile.
      timer = setInterval(() => {
        anchorDue = true;
        if (!appending) {
          appending = true;
          setImmediate(drain);
        }
      }, options.anchorEverySeconds * 1000);
      timer.unref();
    }
    const anchor = anchorDue ? await anchorRow() : undefined;
    const all = anchor === undefined ? rows : [anchor.row, ...rows];
    if (all.length === 0) {
      anchorDue = false;
      rowsSinceAnchor = 0;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      tail ??= (await store.tail(chain)) ?? { seq: 0, hash: genesis };
      let { seq, hash } = tail;
      const chained = all.map((row): ChainedEvent => {
        const link = { ...row, chain, seq: ++seq, prev_hash: hash };
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
        // An anchor that was due counts from here, also when no other chain had moved (nothing to anchor): the
        // heads are read once per anchorEveryRows rows, never at every append.
        rowsSinceAnchor = anchorDue ? rows.length : rowsSinceAnchor + rows.length;
        for (const h of anchor?.heads ?? []) anchored.set(h.chain, h.seq);
        anchorDue = rowsSinceAnchor >= options.anchorEveryRows;
        return;
      }
      // Only another process given this same chain appends here: correct, but it should not last.
      tail = undefined;
      if (!warnedShared) {
        warnedShared = true;
        warn(`audit: another process appends to chain ${chain}; each process should have its own`);
      }
      if (attempt >= 50) throw new Error(`audit: another process kept taking the next place in chain ${chain}`);
    }
  };

  const drain = async () => {
    while (waiting.length > 0 || anchorDue) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      try {
        await append(batch.map((w) => w.row));
        for (const w of batch) w.resolve();
      } catch (err) {
        anchorDue = false;
        if (batch.length === 0) warn(`audit: anchor not written: ${(err as Error).message}`);
        for (const w of batch) w.reject(err);
      }
    }
    appending = false;
  };

  return {
    enqueue: (row: Row) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ row, resolve, reject });
        // Started on the next turn of the event loop, so the events of requests served in this turn share it.
        if (!appending) {
          appending = true;
          setImmediate(drain);
        }
      }),
    close: () => clearInterval(timer),
  };
}

// Each chain on its own (places continuous from 1, each row linked to the one before, each hash that of its row),
// then every anchor against the chain it names. Read in pages: the log may hold millions of rows.
async function verifyChains(store: AuditStore): Promise<AuditVerdict> {
  // What the anchors saw, by chain and place.
  const seen = new Map<string, Map<number, { hash: string; anchor: { chain: string; seq: number } }>>();
  for (const row of await store.withAction(anchorAction)) {
    let heads: unknown;
    try {
      heads = (JSON.parse(row.details) as { heads?: unknown }).heads;
    } catch {
      heads = undefined;
    }
    if (!Array.isArray(heads)) continue; // its own chain's hashes tell whether the row was changed
    for (const [chain, seq, hash] of heads as Array<[string, number, string]>) {
      if (!seen.has(chain)) seen.set(chain, new Map());
      seen.get(chain)?.set(seq, { hash, anchor: { chain: row.chain, seq: row.seq } });
    }
  }
  const chains: ChainVerdict[] = [];
  let current: (ChainVerdict & { prev: string }) | undefined;
  const breaks = (v: ChainVerdict, seq: number, problem: ChainProblem, anchor?: ChainVerdict['anchor']) => {
    if (!v.ok) return;
    Object.assign(v, { ok: false, brokenAt: seq, problem, ...(anchor ? { anchor } : {}) });
  };
  const finish = () => {
    if (current === undefined) return;
    const { prev: _, ...verdict } = current;
    // An anchor that saw this chain further than it now goes: its tail was removed.
    const beyond = [...(seen.get(verdict.chain) ?? [])]
      .filter(([seq]) => seq > verdict.head)
      .sort((a, b) => a[0] - b[0]);
    if (beyond.length > 0) breaks(verdict, verdict.head + 1, 'tail_removed', beyond[0][1].anchor);
    chains.push(verdict);
    seen.delete(verdict.chain);
  };
  let after: { chain: string; seq: number } | undefined;
  for (;;) {
    const page = await store.page(after, 5000);
    for (const row of page) {
      if (current?.chain !== row.chain) {
        finish();
        current = { chain: row.chain, events: 0, anchors: 0, head: 0, ok: true, prev: genesis };
      }
      const expected = current.head + 1;
      if (row.seq !== expected) breaks(current, expected, 'missing');
      else if (row.prev_hash !== current.prev) breaks(current, row.seq, 'relinked');
      else if (chainHash(current.prev, row) !== row.hash) breaks(current, row.seq, 'changed');
      const saw = seen.get(row.chain)?.get(row.seq);
      if (saw !== undefined && saw.hash !== row.hash) breaks(current, row.seq, 'anchor_mismatch', saw.anchor);
      if (row.action === anchorAction) current.anchors++;
      else current.events++;
      current.head = row.seq;
      current.prev = row.hash;
    }
    if (page.length === 0) break;
    const last = page[page.length - 1];
    after = { chain: last.chain, seq: last.seq };
  }
  finish();
  // Chains an anchor saw that have no rows left at all.
  for (const [chain, places] of seen) {
    const [first] = [...places].sort((a, b) => a[0] - b[0]);
    chains.push({
      chain,
      events: 0,
      anchors: 0,
      head: 0,
      ok: false,
      brokenAt: 1,
      problem: 'tail_removed',
      anchor: first[1].anchor,
    });
  }
  const events = chains.reduce((n, c) => n + c.events, 0);
  const anchors = chains.reduce((n, c) => n + c.anchors, 0);
  const broken = chains.find((c) => !c.ok);
  if (broken === undefined) return { ok: true, events, anchors, chains };
  return {
    ok: false,
    events,
    anchors,
    chains,
    chain: broken.chain,
    brokenAt: broken.brokenAt ?? 0,
    problem: broken.problem ?? 'changed',
  };
}

/**
 * `currentSource` tells the address of the request being served (the HTTP layer keeps it per request), so domain
 * code records its events without knowing about requests.
 */
export function createAudit(
  store: AuditStore,
  clock: Clock,
  currentSource: () => string | undefined = () => undefined,
  options: AuditOptions = {},
): Audit {
  const queue = appendQueue(store, clock, {
    chain: options.chain ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`,
    anchorEveryRows: options.anchorEveryRows ?? 1000,
    anchorEverySeconds: options.anchorEverySeconds ?? 30,
    warn: options.warn ?? (() => {}),
  });
  const enqueue = queue.enqueue;
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
    verify: () => verifyChains(store),
    close: () => queue.close(),
  };
}
