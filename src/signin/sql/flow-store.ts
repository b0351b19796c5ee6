import type { Kysely, Selectable } from 'kysely';
import type { Database, SigninFlowsTable } from '../../store/index.ts';
import type { SignInFlow } from '../flow.ts';
import type { SignInFlowStore } from '../store.ts';

const toFlow = (row: Selectable<SigninFlowsTable>): SignInFlow => ({
  id: row.id,
  handle: row.handle,
  appId: row.app_id,
  accountId: row.account_id,
  amr: JSON.parse(row.amr) as string[],
  step: row.step,
  optional: row.optional === 1,
  expiresAt: Number(row.expires_at),
  createdAt: Number(row.created_at),
});

export function createSqlSignInFlowStore(db: Kysely<Database>): SignInFlowStore {
  return {
    async save(flow) {
      const row = {
        id: flow.id,
        handle: flow.handle,
        app_id: flow.appId,
        account_id: flow.accountId,
        amr: JSON.stringify(flow.amr),
        step: flow.step,
        optional: flow.optional ? 1 : 0,
        expires_at: flow.expiresAt,
        completed_at: null,
        created_at: flow.createdAt,
      };
      const { handle: _handle, ...changes } = row;
      await db
        .insertInto('signin_flows')
        .values(row)
        .onConflict((oc) => oc.column('handle').doUpdateSet(changes))
        .execute();
    },
    async findOpen(handle, atMs) {
      const row = await db
        .selectFrom('signin_flows')
        .selectAll()
        .where('handle', '=', handle)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return row && toFlow(row);
    },
    async complete(id, atMs) {
      const result = await db
        .updateTable('signin_flows')
        .set({ completed_at: atMs })
        .where('id', '=', id)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async purge(beforeMs) {
      await db.deleteFrom('signin_flows').where('expires_at', '<', beforeMs).execute();
    },
  };
}
