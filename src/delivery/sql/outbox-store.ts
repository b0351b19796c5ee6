// The outbox table through Kysely: the same statements on SQLite and PostgreSQL. Claiming is one conditional
// UPDATE whose affected-row count says which node won, so no dialect-specific locking (SKIP LOCKED) is needed.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { OutboxStore } from '../store.ts';

export function createSqlOutboxStore(db: Kysely<Database>): OutboxStore {
  return {
    async insert(row) {
      await db
        .insertInto('outbox')
        .values({ ...row, attempts: 0, locked_until: 0, last_error: null })
        .execute();
    },
    async due(nowMs, limit) {
      return db
        .selectFrom('outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', nowMs)
        .where('locked_until', '<=', nowMs)
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(limit)
        .execute();
    },
    async claim(id, nowMs, untilMs) {
      // The WHERE repeats the due conditions: between our SELECT and this UPDATE another node may have claimed
      // or even sent the row, and then nothing changes here.
      const result = await db
        .updateTable('outbox')
        .set({ locked_until: untilMs })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('locked_until', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async markSent(id, attempts, sentAt) {
      await db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: sentAt, attempts, last_error: null })
        .where('id', '=', id)
        .execute();
    },
    async markFailedAttempt(id, change) {
      await db
        .updateTable('outbox')
        .set({
          attempts: change.attempts,
          status: change.failed ? 'failed' : 'pending',
          last_error: change.lastError,
          next_attempt_at: change.nextAttemptAt,
          locked_until: 0,
        })
        .where('id', '=', id)
        .execute();
    },
    async recent(filter) {
      let query = db
        .selectFrom('outbox')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit);
      if (filter.to !== undefined) query = query.where('to_address', '=', filter.to);
      return query.execute();
    },
  };
}
