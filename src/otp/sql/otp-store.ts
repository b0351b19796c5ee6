import type { Kysely, Selectable } from 'kysely';
import type { Database, OtpTokensTable } from '../../store/index.ts';
import type { OtpStore, StoredToken } from '../store.ts';

const toStored = (row: Selectable<OtpTokensTable>): StoredToken => ({
  secretSealed: row.secret_sealed,
  record: {
    id: row.id, accountId: row.account_id, type: row.type, serial: row.serial, state: row.state, algorithm: row.algorithm,
    digits: row.digits as 6 | 8, periodSeconds: row.period_seconds, drift: row.drift, lastStep: row.last_step, failures: row.failures,
    lockedUntil: row.locked_until, pendingExpiresAt: row.pending_expires_at, createdAt: row.created_at, activatedAt: row.activated_at,
  },
});

const affected = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) > 0;

export function createSqlOtpStore(db: Kysely<Database>): OtpStore {
  return {
    async insert({ record: r, secretSealed }) {
      await db.insertInto('otp_tokens').values({
        id: r.id, account_id: r.accountId, type: r.type, serial: r.serial, state: r.state, algorithm: r.algorithm, digits: r.digits,
        period_seconds: r.periodSeconds, secret_sealed: secretSealed, drift: r.drift, last_step: r.lastStep, failures: r.failures,
        locked_until: r.lockedUntil, pending_expires_at: r.pendingExpiresAt, created_at: r.createdAt, activated_at: r.activatedAt, revoked_at: null,
      }).execute();
    },
    async findById(id) {
      const row = await db.selectFrom('otp_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toStored(row);
    },
    async findBySerial(serial) {
      const row = await db.selectFrom('otp_tokens').selectAll().where('serial', '=', serial).executeTakeFirst();
      return row && toStored(row);
    },
    async listForAccount(accountId) {
      return (await db.selectFrom('otp_tokens').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute()).map(toStored);
    },
    async activate(id, step, drift, atMs) {
      return affected(await db.updateTable('otp_tokens').set({ state: 'active', last_step: step, drift, activated_at: atMs, pending_expires_at: null })
        .where('id', '=', id).where('state', '=', 'pending').where('pending_expires_at', '>', atMs).executeTakeFirst());
    },
    async revokeSoftwareExcept(accountId, keepId, atMs) {
      const revoked = await db.updateTable('otp_tokens').set({ state: 'revoked', revoked_at: atMs })
        .where('account_id', '=', accountId).where('id', '!=', keepId).where('type', 'in', ['mobile', 'desktop']).where('state', '!=', 'revoked')
        .returning('serial').execute();
      return revoked.map((r) => r.serial);
    },
    async acceptStep(id, step, drift) {
      return affected(await db.updateTable('otp_tokens').set({ last_step: step, drift, failures: 0, locked_until: 0 })
        .where('id', '=', id).where('state', '=', 'active')
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)])).executeTakeFirst());
    },
    async recordFailure(id) {
      const row = await db.updateTable('otp_tokens').set((eb) => ({ failures: eb('failures', '+', 1) })).where('id', '=', id)
        .returning('failures').executeTakeFirst();
      return row?.failures ?? 0;
    },
    async setLock(id, lockedUntil, permanently) {
      await db.updateTable('otp_tokens').set(permanently ? { locked_until: lockedUntil, state: 'locked' } : { locked_until: lockedUntil }).where('id', '=', id).execute();
    },
    async setState(id, state, atMs) {
      await db.updateTable('otp_tokens').set({ state, ...(state === 'revoked' ? { revoked_at: atMs } : {}), ...(state === 'active' ? { failures: 0, locked_until: 0 } : {}) })
        .where('id', '=', id).execute();
    },
    async assign(serial, accountId, atMs) {
      return affected(await db.updateTable('otp_tokens').set({ account_id: accountId, state: 'active', activated_at: atMs })
        .where('serial', '=', serial).where('type', '=', 'hardware').where('account_id', 'is', null).where('state', '!=', 'revoked').executeTakeFirst());
    },
    async unbind(serial, atMs) {
      return affected(await db.updateTable('otp_tokens').set({ account_id: null, state: 'revoked', revoked_at: atMs })
        .where('serial', '=', serial).where('account_id', 'is not', null).executeTakeFirst());
    },
  };
}
