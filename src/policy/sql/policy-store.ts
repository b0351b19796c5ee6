import type { Kysely, Selectable } from 'kysely';
import type { AppPoliciesTable, Database } from '../../store/index.ts';
import type { AppPolicy } from '../policy.ts';
import type { PolicyStore } from '../store.ts';

const toPolicy = (row: Selectable<AppPoliciesTable>): AppPolicy => ({
  appId: row.app_id,
  otp: row.otp,
  goLiveAt: row.go_live_at,
  graceSeconds: row.grace_seconds,
  groupOverrides: JSON.parse(row.group_overrides),
});

export function createSqlPolicyStore(db: Kysely<Database>): PolicyStore {
  return {
    async find(appId) {
      const row = await db.selectFrom('app_policies').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toPolicy(row);
    },
    async save(p, atMs) {
      const values = {
        otp: p.otp,
        go_live_at: p.goLiveAt,
        grace_seconds: p.graceSeconds,
        group_overrides: JSON.stringify(p.groupOverrides),
        updated_at: atMs,
      };
      await db
        .insertInto('app_policies')
        .values({ app_id: p.appId, ...values })
        .onConflict((oc) => oc.column('app_id').doUpdateSet(values))
        .execute();
    },
    async list() {
      return (await db.selectFrom('app_policies').selectAll().orderBy('app_id').execute()).map(toPolicy);
    },
  };
}
