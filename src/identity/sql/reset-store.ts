import type { Kysely, Selectable } from 'kysely';
import type { Database, PasswordResetsTable } from '../../store/index.ts';
import type { PasswordResetLink, PasswordResetStore } from '../store.ts';

const toLink = (row: Selectable<PasswordResetsTable>): PasswordResetLink => ({
  id: row.id,
  accountId: row.account_id,
  tokenHash: row.token_hash,
  passwordFingerprint: row.password_fingerprint,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  createdAt: row.created_at,
});

export function createSqlPasswordResetStore(db: Kysely<Database>): PasswordResetStore {
  return {
    async replace(link) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('password_resets')
          .set({ used_at: link.createdAt })
          .where('account_id', '=', link.accountId)
          .where('used_at', 'is', null)
          .execute();
        await trx
          .insertInto('password_resets')
          .values({
            id: link.id,
            account_id: link.accountId,
            token_hash: link.tokenHash,
            password_fingerprint: link.passwordFingerprint,
            expires_at: link.expiresAt,
            used_at: link.usedAt,
            created_at: link.createdAt,
          })
          .execute();
      });
    },
    async findByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('password_resets')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toLink(row);
    },
    async use(id, atMs) {
      const result = await db
        .updateTable('password_resets')
        .set({ used_at: atMs })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
