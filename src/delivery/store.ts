// What the outbox needs from storage; src/delivery/sql/ implements it with Kysely.
import type { OutboxTable } from '../store/index.ts';

export type OutboxRow = OutboxTable;
export type NewOutboxRow = Omit<OutboxRow, 'attempts' | 'locked_until' | 'last_error'>;

export interface OutboxStore {
  insert(row: NewOutboxRow): Promise<void>;
  /** Pending rows due at `nowMs` that no node holds, oldest first. */
  due(nowMs: number, limit: number): Promise<OutboxRow[]>;
  /** True when this caller now holds the row until `untilMs`; false when another node got it first. */
  claim(id: string, nowMs: number, untilMs: number): Promise<boolean>;
  markSent(id: string, attempts: number, sentAt: number): Promise<void>;
  markFailedAttempt(
    id: string,
    change: { attempts: number; failed: boolean; nextAttemptAt: number; lastError: string },
  ): Promise<void>;
  recent(filter: { to?: string; limit: number }): Promise<OutboxRow[]>;
}
