import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RegistrationFlowsTable } from '../../store/index.ts';
import type { RegistrationFlow } from '../flow.ts';
import type { RegistrationStore } from '../store.ts';

const toFlow = (row: Selectable<RegistrationFlowsTable>): RegistrationFlow => ({
  id: row.id,
  accountId: row.account_id,
  step: row.step,
  wrongAnswers: Number(row.wrong_answers),
  smsCodeHash: row.sms_code_hash,
  smsExpiresAt: row.sms_expires_at === null ? null : Number(row.sms_expires_at),
  smsId: row.sms_id,
  enrolmentId: row.enrolment_id,
  expiresAt: Number(row.expires_at),
  createdAt: Number(row.created_at),
});

const changed = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) === 1;

type FlowPart = Omit<RegistrationStore, 'issueCode' | 'useCode' | 'purge'>;

function flowStore(db: Kysely<Database>): FlowPart {
  // An open flow: neither completed (or ended) nor expired.
  const open = (id: string, atMs: number) =>
    db
      .updateTable('registration_flows')
      .where('id', '=', id)
      .where('completed_at', 'is', null)
      .where('expires_at', '>', atMs);

  return {
    async create(flow) {
      await db
        .insertInto('registration_flows')
        .values({
          id: flow.id,
          account_id: flow.accountId,
          step: flow.step,
          wrong_answers: flow.wrongAnswers,
          sms_code_hash: flow.smsCodeHash,
          sms_expires_at: flow.smsExpiresAt,
          sms_id: flow.smsId,
          enrolment_id: flow.enrolmentId,
          expires_at: flow.expiresAt,
          completed_at: null,
          created_at: flow.createdAt,
        })
        .execute();
    },
    async findOpen(id, atMs) {
      const row = await db
        .selectFrom('registration_flows')
        .selectAll()
        .where('id', '=', id)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return row && toFlow(row);
    },
    async reserveAnswer(id, step, max, atMs) {
      const result = await open(id, atMs)
        .set({ wrong_answers: sql<number>`wrong_answers + 1` })
        .where('step', '=', step)
        .where('wrong_answers', '<', max)
        .executeTakeFirst();
      return changed(result);
    },
    async endIfSpent(id, max, atMs) {
      const result = await open(id, atMs)
        .set({ completed_at: atMs })
        .where('wrong_answers', '>=', max)
        .executeTakeFirst();
      return changed(result);
    },
    async advance(id, from, to, atMs) {
      const result = await open(id, atMs)
        .set({ step: to, wrong_answers: 0, sms_code_hash: null, sms_expires_at: null })
        .where('step', '=', from)
        .executeTakeFirst();
      return changed(result);
    },
    async setSmsCode(id, s) {
      await db
        .updateTable('registration_flows')
        .set({ sms_code_hash: s.hash, sms_expires_at: s.expiresAt, sms_id: s.smsId })
        .where('id', '=', id)
        .where('step', '=', 'code')
        .execute();
    },
    async setEnrolment(id, enrolmentId) {
      await db.updateTable('registration_flows').set({ enrolment_id: enrolmentId }).where('id', '=', id).execute();
    },
    async complete(id, atMs) {
      return changed(await open(id, atMs).set({ completed_at: atMs }).executeTakeFirst());
    },
  };
}

export function createSqlRegistrationStore(db: Kysely<Database>): RegistrationStore {
  return {
    ...flowStore(db),
    async issueCode(row) {
      await db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom('registration_codes')
          .where('account_id', '=', row.accountId)
          .where('used_at', 'is', null)
          .execute();
        await tx
          .insertInto('registration_codes')
          .values({
            id: row.id,
            account_id: row.accountId,
            code_hash: row.codeHash,
            issued_by: row.issuedBy,
            expires_at: row.expiresAt,
            used_at: null,
            created_at: row.createdAt,
          })
          .execute();
      });
    },
    async useCode(accountId, codeHash, atMs) {
      const result = await db
        .updateTable('registration_codes')
        .set({ used_at: atMs })
        .where('code_hash', '=', codeHash)
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return changed(result);
    },
    async purge(beforeMs) {
      await db.deleteFrom('registration_flows').where('expires_at', '<', beforeMs).execute();
      await db.deleteFrom('registration_codes').where('expires_at', '<', beforeMs).execute();
    },
  };
}
