// What the audit log needs from storage; src/audit/sql/ implements it with Kysely.

/** An event as stored: its place in the chain (`seq`), its fields, and the hashes that link it to the one before. */
export interface ChainedEvent {
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

/** An event as stored, its details read back; the chain's hashes stay with verify(). */
export type RecordedEvent = Omit<ChainedEvent, 'details' | 'prev_hash' | 'hash'> & { details: Record<string, unknown> };

export interface EventQuery {
  who?: { name: string; accountId?: string };
  action?: string;
  /** Keyset paging: only events older than this place in the chain (the last `seq` of the page before). */
  before?: number;
  /**
   * Keyset paging by time (the console's pages): the events past this one, toward older or newer ones; the page is
   * newest first either way. `seq` is the tiebreaker of events written in the same millisecond.
   */
  from?: EventPosition & { toward: 'older' | 'newer' };
  limit: number;
}

/** An event's place in the list: when it was written, and its unique `seq`. */
export interface EventPosition {
  at: number;
  seq: number;
}

export interface AuditStore {
  /** The newest event's place in the chain; undefined while the log is empty. */
  tail(): Promise<{ seq: number; hash: string } | undefined>;
  /** Appends the events in one statement; 'taken' when another node appended at one of their places first. */
  append(events: ChainedEvent[]): Promise<'appended' | 'taken'>;
  /** With `details`: an event whose details hold each entry, as JSON this module wrote it. */
  hasEvent(action: string, subject: string, details?: Record<string, unknown>): Promise<boolean>;
  /** Newest first; see Audit.list for what `who` and `action` take in. */
  list(query: EventQuery): Promise<RecordedEvent[]>;
  /** The events about a subject, oldest first. */
  about(subject: string): Promise<Array<{ at: number; action: string; outcome: string; source: string | null }>>;
  /** Every event, in chain order. */
  all(): Promise<ChainedEvent[]>;
}
