// The SMS outbox through Kysely: the same statements on SQLite and PostgreSQL. Claiming is one conditional UPDATE
// whose affected-row count says which node won, as for mail.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { SmsOutboxStore } from '../sms/store.ts';

export function createSqlSmsOutboxStore(db: Kysely<Database>): SmsOutboxStore {
  return {
    async insert(row) {
      await db
        .insertInto('sms_outbox')
        .values({ ...row, attempts: 0, locked_until: 0, last_error: null, delivered_at: null })
        .execute();
    },
    async due(nowMs, limit) {
      return db
        .selectFrom('sms_outbox')
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
      const result = await db
        .updateTable('sms_outbox')
        .set({ locked_until: untilMs })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('locked_until', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async markSent(id, change) {
      await db
        .updateTable('sms_outbox')
        .set({
          status: 'sent',
          sent_at: change.sentAt,
          attempts: change.attempts,
          last_error: null,
          provider: change.provider,
          provider_id: change.providerId,
          text: '',
        })
        .where('id', '=', id)
        .execute();
    },
    async markFailedAttempt(id, change) {
      await db
        .updateTable('sms_outbox')
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
    async markReport(provider, providerId, outcome, atMs) {
      const result = await db
        .updateTable('sms_outbox')
        .set({ status: outcome, delivered_at: atMs })
        .where('provider', '=', provider)
        .where('provider_id', '=', providerId)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    find: (id) => db.selectFrom('sms_outbox').selectAll().where('id', '=', id).executeTakeFirst(),
    async purge(beforeMs) {
      await db.deleteFrom('sms_outbox').where('created_at', '<', beforeMs).where('status', '!=', 'pending').execute();
    },
    recent: (limit) => db.selectFrom('sms_outbox').selectAll().orderBy('created_at', 'desc').limit(limit).execute(),
  };
}
