import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { ConsentStore } from '../store.ts';

export function createSqlConsentStore(db: Kysely<Database>): ConsentStore {
  return {
    async find(accountId) {
      const row = await db
        .selectFrom('marketing_consents')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row && { subscribed: row.subscribed === 1, source: row.source, changedAt: row.changed_at };
    },
    async save(accountId, consent) {
      const row = { subscribed: consent.subscribed ? 1 : 0, source: consent.source, changed_at: consent.changedAt };
      await db
        .insertInto('marketing_consents')
        .values({ account_id: accountId, ...row })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(row))
        .execute();
    },
    async audience() {
      const rows = await db
        .selectFrom('marketing_consents')
        .innerJoin('accounts', 'accounts.id', 'marketing_consents.account_id')
        .select(['accounts.id', 'accounts.email'])
        .where('marketing_consents.subscribed', '=', 1)
        .where('accounts.status', '=', 'active')
        .where('accounts.email', 'is not', null)
        .where('accounts.email_verified', '=', 1)
        .orderBy('accounts.created_at')
        .execute();
      return rows.map((r) => ({ accountId: r.id, email: r.email! }));
    },
  };
}
