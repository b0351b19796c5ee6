// What the audit log needs from storage; src/audit/sql/ implements it with Kysely.

/**
 * An event as stored: its chain (one per writing process), its place in that chain (`seq`, from 1), its fields, and
 * the hashes that link it to the one before in its chain.
 */
export interface ChainedEvent {
  chain: string;
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  source: string | null;
  outcome: string;
  /** JSON. */
  details: string;
  prev_hash: string;
  hash: string;
}

/** A chain's newest event, as an anchor records it. */
export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

/**
 * An event as stored, its details read back; the chain's hashes stay with verify(). `id` is unique across chains:
 * the tiebreaker of the newest-first order, and what `EventQuery.before` takes.
 */
export type RecordedEvent = Omit<ChainedEvent, 'details' | 'prev_hash' | 'hash'> & {
  id: number;
  details: Record<string, unknown>;
};

export interface EventQuery {
  who?: { name: string; accountId?: string };
  action?: string;
  /** Keyset paging: only events listed after this one (the `id` of the last event of the page before). */
  before?: number;
  /**
   * Keyset paging by time (the console's pages): the events past this one, toward older or newer ones; the page is
   * newest first either way. `id` is the tiebreaker of events written in the same millisecond.
   */
  from?: EventPosition & { toward: 'older' | 'newer' };
  limit: number;
}

/** An event's place in the list: when it was written, and its unique `seq`. */
export interface EventPosition {
  at: number;
  id: number;
}

export interface AuditStore {
  /** The newest event of the chain; undefined while it has none. */
  tail(chain: string): Promise<ChainHead | undefined>;
  /** Makes the chain known to other writers' anchors (once per chain; again is harmless). */
  register(chain: string, at: number): Promise<void>;
  /** The heads of the known chains other than `except` (chains without events left out). */
  heads(except: string): Promise<ChainHead[]>;
  /** Appends the events in one statement; 'taken' when another process appended at one of their places first. */
  append(events: ChainedEvent[]): Promise<'appended' | 'taken'>;
  /** With `details`: an event whose details hold each entry, as JSON this module wrote it. */
  hasEvent(action: string, subject: string, details?: Record<string, unknown>): Promise<boolean>;
  /** Newest first (by time, then `id`); see Audit.list for what `who` and `action` take in. Anchors left out. */
  list(query: EventQuery): Promise<RecordedEvent[]>;
  /** The events about a subject, oldest first. */
  about(subject: string): Promise<Array<{ at: number; action: string; outcome: string; source: string | null }>>;
  /** The events with this action (the anchors, for verify), in chain order. */
  withAction(action: string): Promise<ChainedEvent[]>;
  /** Up to `limit` events after this place, in chain order (by chain, then seq): verify reads the log in pages. */
  page(after: { chain: string; seq: number } | undefined, limit: number): Promise<ChainedEvent[]>;
}
