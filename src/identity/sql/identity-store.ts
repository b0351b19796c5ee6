import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import {
  isPostgres,
  isUniqueViolation,
  prepared,
  type Database,
  type AccountsTable,
  type EmailVerificationsTable,
} from '../../store/index.ts';
import { IdentityError } from '../errors.ts';
import type { Account, AccountStore, EmailVerification, IdentityStore, VerificationStore } from '../store.ts';

const toAccount = (row: Selectable<AccountsTable>): Account => ({
  id: row.id,
  kind: row.kind,
  email: row.email,
  emailVerified: row.email_verified === 1,
  directoryId: row.directory_id,
  directoryDn: row.directory_dn,
  username: row.username,
  groups: JSON.parse(row.groups) as string[],
  passwordHash: row.password_hash,
  name: row.name,
  status: row.status,
  createdAt: row.created_at,
  locale: row.locale,
});

// Each store compiles its own (see `prepared`): no cache outlives the object graph that made it.
function preparedQueries() {
  // Read at every sign-in and every token check.
  const accountById = prepared((db, p: { id: string }) => db.selectFrom('accounts').selectAll().where('id', '=', p.id));
  const accountByDirectoryId = prepared((db, p: { directoryId: string }) =>
    db.selectFrom('accounts').selectAll().where('directory_id', '=', p.directoryId),
  );
  return { accountById, accountByDirectoryId };
}

const toVerification = (row: Selectable<EmailVerificationsTable>): EmailVerification => ({
  id: row.id,
  accountId: row.account_id,
  tokenHash: row.token_hash,
  codeHash: row.code_hash,
  expiresAt: row.expires_at,
  interactionUid: row.interaction_uid,
  decoy: row.decoy === 1,
});

const toRow = (account: Account, atMs: number) => ({
  id: account.id,
  kind: account.kind,
  email: account.email,
  email_verified: account.emailVerified ? 1 : 0,
  directory_id: account.directoryId,
  directory_dn: account.directoryDn ?? null,
  username: account.username,
  groups: JSON.stringify(account.groups),
  password_hash: account.passwordHash,
  name: account.name,
  status: account.status,
  created_at: account.createdAt,
  updated_at: atMs,
});

// Written only when it changes: most sign-ins keep the language, and need no write.
const setLocaleOf = (db: Kysely<Database>) => async (accountId: string, locale: string) => {
  await db
    .updateTable('accounts')
    .set({ locale })
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('locale', 'is', null), eb('locale', '!=', locale)]))
    .execute();
};

// The largest code point: every text that starts with a prefix sorts below prefix + it, in byte order.
const afterEveryText = '\u{10FFFF}';

/**
 * The people list's query: the sort key exactly as migration 0019 indexes it (byte order on PostgreSQL whatever the
 * database's collation), and the prefix and the page's start as one index range each, so that a page is read in index
 * order from where it starts: one index range of a page's rows, with a million accounts (README "Long lists").
 */
function searchQuery(db: Kysely<Database>, { prefix, from, limit }: Parameters<AccountStore['searchAccounts']>[0]) {
  const c = isPostgres(db) ? sql` COLLATE "C"` : sql``;
  const sortKey = sql<string>`lower(coalesce(username, email, id))${c}`;
  const toward = from?.toward ?? 'next';
  const [op, order] = toward === 'next' ? (['>', 'asc'] as const) : (['<', 'desc'] as const);
  let query = db
    .selectFrom('accounts')
    .selectAll()
    .select(sortKey.as('sort_key'))
    .orderBy(sortKey, order)
    .orderBy('id', order)
    .limit(limit);
  if (prefix !== '') {
    query = query.where(sql<boolean>`${sortKey} >= lower(${prefix})`);
    query = query.where(sql<boolean>`${sortKey} < lower(${prefix}) || ${afterEveryText}`);
  }
  // A row value: one index condition on (key, id), where an OR of the two would be a filter over the rows before.
  if (from !== undefined) query = query.where(sql<boolean>`(${sortKey}, id) ${sql.raw(op)} (${from.key}, ${from.id})`);
  return query;
}

const searchAccountsIn =
  (db: Kysely<Database>): AccountStore['searchAccounts'] =>
  async (search) => {
    const rows = await searchQuery(db, search).execute();
    if (search.from?.toward === 'prev') rows.reverse();
    return rows.map((row) => ({ account: toAccount(row), key: row.sort_key }));
  };

function createAccountStore(db: Kysely<Database>): Omit<AccountStore, 'searchAccounts'> {
  const { accountById, accountByDirectoryId } = preparedQueries();
  return {
    async createAccount(account) {
      try {
        await db.insertInto('accounts').values(toRow(account, account.createdAt)).execute();
        return 'created';
      } catch (err) {
        if (isUniqueViolation(err)) return 'email_taken';
        throw err;
      }
    },
    async findAccountById(id) {
      const [row] = (await accountById(db, { id })).rows;
      return row && toAccount(row);
    },
    async findAccountByEmail(email) {
      const row = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
      return row && toAccount(row);
    },
    async markEmailVerified(accountId, atMs) {
      await db
        .updateTable('accounts')
        .set({ email_verified: 1, updated_at: atMs })
        .where('id', '=', accountId)
        .execute();
    },
    async findAccountByDirectoryId(directoryId) {
      const [row] = (await accountByDirectoryId(db, { directoryId })).rows;
      return row && toAccount(row);
    },
    async findAccountByUsername(username) {
      const row = await db
        .selectFrom('accounts')
        .selectAll()
        .where('kind', '=', 'workforce')
        .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
        .executeTakeFirst();
      return row && toAccount(row);
    },
    async upsertWorkforceAccount(account, atMs) {
      const { id: _id, created_at: _created, ...changes } = toRow(account, atMs);
      // RETURNING gives the row as stored (the existing id when another sign-in created it first) in one statement.
      try {
        const row = await db
          .insertInto('accounts')
          .values(toRow(account, atMs))
          .onConflict((oc) => oc.column('directory_id').doUpdateSet(changes))
          .returningAll()
          .executeTakeFirstOrThrow();
        return toAccount(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new IdentityError('identity.email_taken');
        throw err;
      }
    },
    async listActiveWorkforceAccounts() {
      const rows = await db
        .selectFrom('accounts')
        .selectAll()
        .where('kind', '=', 'workforce')
        .where('status', '=', 'active')
        .execute();
      return rows.map(toAccount);
    },
    async setStatus(accountId, status, atMs) {
      await db.updateTable('accounts').set({ status, updated_at: atMs }).where('id', '=', accountId).execute();
    },
    async replacePasswordHash(accountId, previousHash, newHash, atMs) {
      const result = await db
        .updateTable('accounts')
        .set({ password_hash: newHash, updated_at: atMs })
        .where('id', '=', accountId)
        .where('password_hash', '=', previousHash)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async setPasswordHash(accountId, hash, atMs) {
      await db
        .updateTable('accounts')
        .set({ password_hash: hash, updated_at: atMs })
        .where('id', '=', accountId)
        .execute();
    },
    async setEmail(accountId, email, atMs, verified) {
      try {
        await db
          .updateTable('accounts')
          .set({ email, ...(verified ? { email_verified: 1 } : {}), updated_at: atMs })
          .where('id', '=', accountId)
          .execute();
        return 'changed';
      } catch (err) {
        if (isUniqueViolation(err)) return 'email_taken';
        throw err;
      }
    },
    async deleteAccount(accountId) {
      await db.deleteFrom('accounts').where('id', '=', accountId).execute();
    },
    setLocale: setLocaleOf(db),
  };
}

function createVerificationStore(db: Kysely<Database>): VerificationStore {
  return {
    async createVerification(v, atMs) {
      await db.transaction().execute(async (trx) => {
        // Decoys spend nothing, and are spent by nothing but their own expiry and attempts.
        if (!v.decoy) {
          await trx
            .updateTable('email_verifications')
            .set({ consumed_at: atMs })
            .where('account_id', '=', v.accountId)
            .where('consumed_at', 'is', null)
            .where('decoy', '=', 0)
            .execute();
        }
        await trx
          .insertInto('email_verifications')
          .values({
            id: v.id,
            account_id: v.accountId,
            token_hash: v.tokenHash,
            code_hash: v.codeHash,
            expires_at: v.expiresAt,
            attempts: 0,
            consumed_at: null,
            interaction_uid: v.interactionUid,
            created_at: atMs,
            decoy: v.decoy ? 1 : 0,
          })
          .execute();
      });
    },
    async findVerification(id) {
      const row = await db.selectFrom('email_verifications').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toVerification(row);
    },
    async findOpenVerification(accountId, atMs) {
      const row = await db
        .selectFrom('email_verifications')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('decoy', '=', 0)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toVerification(row);
    },
    async findVerificationByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('email_verifications')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toVerification(row);
    },
    async countAttempt(id, atMs, maxAttempts) {
      const result = await db
        .updateTable('email_verifications')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .where('attempts', '<', maxAttempts)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async consumeVerification(id, atMs) {
      const result = await db
        .updateTable('email_verifications')
        .set({ consumed_at: atMs })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async findConsumedVerificationByInteraction(uid) {
      const row = await db
        .selectFrom('email_verifications')
        .innerJoin('accounts', 'accounts.id', 'email_verifications.account_id')
        .selectAll('email_verifications')
        .where('interaction_uid', '=', uid)
        .where('consumed_at', 'is not', null)
        .where('accounts.email_verified', '=', 1)
        .orderBy('consumed_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toVerification(row);
    },
  };
}

export function createSqlIdentityStore(db: Kysely<Database>): IdentityStore {
  return { ...createAccountStore(db), searchAccounts: searchAccountsIn(db), ...createVerificationStore(db) };
}
