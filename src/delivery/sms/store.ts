// What the SMS outbox needs from storage; src/delivery/sql/sms-outbox-store.ts implements it with Kysely.
import type { SmsOutboxTable } from '../../store/index.ts';

export type SmsRow = SmsOutboxTable;

export interface SmsOutboxStore {
  insert(row: Omit<SmsRow, 'attempts' | 'locked_until' | 'last_error' | 'delivered_at'>): Promise<void>;
  /** Pending rows due at `nowMs` that no node holds, oldest first. */
  due(nowMs: number, limit: number): Promise<SmsRow[]>;
  /** True when this caller now holds the row until `untilMs`; false when another node got it first. */
  claim(id: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** The gateway took it: its id for the message is kept for delivery reports, the text is emptied. */
  markSent(
    id: string,
    change: { attempts: number; sentAt: number; provider: string; providerId: string },
  ): Promise<void>;
  markFailedAttempt(
    id: string,
    change: { attempts: number; failed: boolean; nextAttemptAt: number; lastError: string },
  ): Promise<void>;
  /** A delivery report: the message with the gateway's id became delivered or failed (once; later reports change nothing). */
  markReport(provider: string, providerId: string, outcome: 'delivered' | 'failed', atMs: number): Promise<boolean>;
  find(id: string): Promise<SmsRow | undefined>;
  recent(limit: number): Promise<SmsRow[]>;
  /** Forgets SMS stored before `beforeMs` that are no longer waiting to be sent. */
  purge(beforeMs: number): Promise<void>;
}
