// The OTP store on Kysely; the same statements run on SQLite and PostgreSQL (the OTP tests run every case on both).
import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import { isUniqueViolation, prepared, preparedBySize, type Database, type OtpTokensTable } from '../../store/index.ts';
import type { OtpStore, StoredToken } from '../store.ts';
import type { TokenRecord } from '../token.ts';

const toRecord = (row: Selectable<OtpTokensTable>): TokenRecord => ({
  id: row.id,
  accountId: row.account_id,
  type: row.type,
  serial: row.serial,
  state: row.state,
  algorithm: row.algorithm,
  digits: row.digits as 6 | 8,
  periodSeconds: row.period_seconds,
  drift: row.drift,
  lastStep: row.last_step,
  failures: row.failures,
  lockedUntil: row.locked_until,
  pendingExpiresAt: row.pending_expires_at,
  createdAt: row.created_at,
  activatedAt: row.activated_at,
});
const toStored = (row: Selectable<OtpTokensTable>): StoredToken => ({
  secretSealed: row.secret_sealed,
  record: toRecord(row),
});

const affected = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) > 0;

// Each store compiles its own (see `prepared`): no cache outlives the object graph that made it.
function preparedQueries() {
  // Every second-factor decision asks this.
  const activeTokenOf = prepared((db, p: { accountId: string }) =>
    db
      .selectFrom('otp_tokens')
      .select('id')
      .where('account_id', '=', p.accountId)
      .where('state', '=', 'active')
      .limit(1),
  );

  // The two statements of every code check.
  const tokensOfAccount = prepared((db, p: { accountId: string }) =>
    db.selectFrom('otp_tokens').selectAll().where('account_id', '=', p.accountId).orderBy('created_at').orderBy('id'),
  );
  const acceptStepOnce = prepared((db, p: { id: string; step: number; drift: number }) =>
    db
      .updateTable('otp_tokens')
      .set({ last_step: p.step, drift: p.drift, failures: 0, locked_until: 0 })
      .where('id', '=', p.id)
      .where('state', '=', 'active')
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', p.step)])),
  );
  return { activeTokenOf, tokensOfAccount, acceptStepOnce };
}

type PreparedQueries = ReturnType<typeof preparedQueries>;

function tokenRows(
  db: Kysely<Database>,
  { tokensOfAccount, activeTokenOf }: PreparedQueries,
): Pick<OtpStore, 'insert' | 'findById' | 'findBySerial' | 'listForAccount' | 'hasActive'> {
  return {
    async insert({ record: r, secretSealed }) {
      try {
        await db
          .insertInto('otp_tokens')
          .values({
            id: r.id,
            account_id: r.accountId,
            type: r.type,
            serial: r.serial,
            state: r.state,
            algorithm: r.algorithm,
            digits: r.digits,
            period_seconds: r.periodSeconds,
            secret_sealed: secretSealed,
            drift: r.drift,
            last_step: r.lastStep,
            failures: r.failures,
            locked_until: r.lockedUntil,
            pending_expires_at: r.pendingExpiresAt,
            created_at: r.createdAt,
            activated_at: r.activatedAt,
            revoked_at: null,
          })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
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
      return (await tokensOfAccount(db, { accountId })).rows.map(toStored);
    },
    async hasActive(accountId) {
      return (await activeTokenOf(db, { accountId })).rows.length > 0;
    },
  };
}

function activation(
  db: Kysely<Database>,
  { acceptStepOnce }: PreparedQueries,
  locksRows: boolean,
): Pick<OtpStore, 'activate' | 'acceptStep' | 'reserveEnrolmentAttempt'> {
  return {
    async activate(id, match, atMs, replaces, options = {}) {
      return db.transaction().execute(async (tx): Promise<TokenRecord[] | 'has_token' | undefined> => {
        const mine = await tx.selectFrom('otp_tokens').select('account_id').where('id', '=', id).executeTakeFirst();
        if (!mine?.account_id) return undefined;
        const accountRows = tx
          .selectFrom('otp_tokens')
          .select(['id', 'state'])
          .where('account_id', '=', mine.account_id);
        const held = locksRows ? await accountRows.forUpdate().execute() : await accountRows.execute();
        if (options.onlyFirst && held.some((t) => t.id !== id && (t.state === 'active' || t.state === 'locked')))
          return 'has_token';
        const activated = await tx
          .updateTable('otp_tokens')
          .set({
            state: 'active',
            last_step: match.step,
            drift: match.drift,
            activated_at: atMs,
            pending_expires_at: null,
            failures: 0,
          })
          .where('id', '=', id)
          .where('state', '=', 'pending')
          .where('pending_expires_at', '>', atMs)
          .executeTakeFirst();
        if (!affected(activated)) return undefined;
        if (replaces.length === 0) return [];
        const revoked = await tx
          .updateTable('otp_tokens')
          .set({ state: 'revoked', revoked_at: atMs })
          .where('account_id', '=', mine.account_id)
          .where('id', '!=', id)
          .where('type', 'in', replaces)
          .where('state', 'in', ['active', 'locked'])
          .returningAll()
          .execute();
        return revoked.map(toRecord);
      });
    },
    async acceptStep(id, match) {
      // RFC 6238 §5.2: each time step is accepted once. The comparison happens in the database, so of any number of
      // nodes checking the same code at the same instant exactly one sees its update change a row.
      return Number((await acceptStepOnce(db, { id, step: match.step, drift: match.drift })).numAffectedRows ?? 0n) > 0;
    },
    async reserveEnrolmentAttempt(id, maxAttempts) {
      return affected(
        await db
          .updateTable('otp_tokens')
          .set((eb) => ({ failures: eb('failures', '+', 1) }))
          .where('id', '=', id)
          .where('state', '=', 'pending')
          .where('failures', '<', maxAttempts)
          .executeTakeFirst(),
      );
    },
  };
}

type HoldBackParams = { id: string; atMs: number } & Record<string, string | number>;

// A failure counted with the hold-back its new count earns, one query per number of hold-back steps (the policy fixes
// it, so a store prepares one or two): every code check runs it before it compares the code.
const reserveFailureQuery = (db: Kysely<Database>, p: HoldBackParams, stepCount: number) => {
  // Every right-hand side reads the row as it was before this update (failures is the old count), on both
  // databases; the highest step the new count reaches decides the hold-back.
  const earned = Array.from(
    { length: stepCount },
    (_, i) => sql`when failures + 1 >= ${p[`failures${i}`]} then ${p[`until${i}`]}`,
  );
  return db
    .updateTable('otp_tokens')
    .set((eb) => ({
      failures: eb('failures', '+', 1),
      locked_until: earned.length
        ? sql<number>`case ${sql.join(earned, sql` `)} else locked_until end`
        : eb.ref('locked_until'),
    }))
    .where('id', '=', p.id)
    .where('state', '=', 'active')
    .where('locked_until', '<=', p.atMs)
    .returning(['failures', 'locked_until']);
};

function failuresAndLocks(db: Kysely<Database>): Pick<OtpStore, 'reserveFailure' | 'refundFailure' | 'setLock'> {
  const reserveWithSteps = preparedBySize(reserveFailureQuery);
  const refundOne = prepared((db, p: { id: string; heldBackUntil: number }) =>
    db
      .updateTable('otp_tokens')
      .set((eb) => ({
        failures: eb('failures', '-', 1),
        locked_until: sql<number>`case when locked_until = ${p.heldBackUntil} then 0 else locked_until end`,
      }))
      .where('id', '=', p.id)
      .where('failures', '>', 0),
  );
  return {
    async reserveFailure(id, atMs, steps) {
      // Highest step first: the first `when` that holds is the one that applies.
      const params: HoldBackParams = { id, atMs };
      [...steps].reverse().forEach((step, i) => {
        params[`failures${i}`] = step.failures;
        params[`until${i}`] = atMs + step.delayMs;
      });
      const [row] = (await reserveWithSteps(steps.length)(db, params)).rows;
      return row && { failures: Number(row.failures), lockedUntil: Number(row.locked_until) };
    },
    async refundFailure(id, heldBackUntil) {
      await refundOne(db, { id, heldBackUntil });
    },
    async setLock(id, lockedUntil, permanently) {
      // A lock never shortens a longer one a concurrent failure already set.
      const update = db.updateTable('otp_tokens').where('id', '=', id);
      if (permanently)
        await update.set({ state: 'locked', locked_until: lockedUntil }).where('state', '=', 'active').execute();
      else await update.set({ locked_until: lockedUntil }).where('locked_until', '<', lockedUntil).execute();
    },
  };
}

function lifecycle(
  db: Kysely<Database>,
): Pick<OtpStore, 'changeState' | 'assign' | 'unbind' | 'forgetExpiredEnrolments'> {
  return {
    async changeState(id, from, to, atMs) {
      return affected(
        await db
          .updateTable('otp_tokens')
          .set({
            state: to,
            ...(to === 'revoked' ? { revoked_at: atMs } : {}),
            ...(to === 'active' ? { failures: 0, locked_until: 0 } : {}),
          })
          .where('id', '=', id)
          .where('state', '=', from)
          .executeTakeFirst(),
      );
    },
    async assign(serial, accountId, atMs) {
      return affected(
        await db
          .updateTable('otp_tokens')
          .set({ account_id: accountId, state: 'active', activated_at: atMs })
          .where('serial', '=', serial)
          .where('type', '=', 'hardware')
          .where('account_id', 'is', null)
          .where('state', '!=', 'revoked')
          .executeTakeFirst(),
      );
    },
    async unbind(serial, atMs) {
      return affected(
        await db
          .updateTable('otp_tokens')
          .set({ account_id: null, state: 'revoked', revoked_at: atMs })
          .where('serial', '=', serial)
          .where('account_id', 'is not', null)
          .executeTakeFirst(),
      );
    },
    async forgetExpiredEnrolments(atMs) {
      // A hardware token waiting for a person has no expiry: a comparison with null is never true.
      const result = await db
        .deleteFrom('otp_tokens')
        .where('state', '=', 'pending')
        .where('pending_expires_at', '<=', atMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function createSqlOtpStore(db: Kysely<Database>): OtpStore {
  const queries = preparedQueries();
  // SQLite runs one transaction at a time; PostgreSQL needs the account's token rows locked so that two
  // activations for one account cannot each revoke the other (or neither).
  const locksRows = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    ...tokenRows(db, queries),
    ...activation(db, queries, locksRows),
    ...failuresAndLocks(db),
    ...lifecycle(db),
  };
}
