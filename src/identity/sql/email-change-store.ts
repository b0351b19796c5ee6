import type { Kysely, Selectable } from 'kysely';
import type { Database, EmailChangesTable } from '../../store/index.ts';
import type { EmailChange, EmailChangeStore } from '../store.ts';

const toChange = (row: Selectable<EmailChangesTable>): EmailChange => ({
  id: row.id,
  accountId: row.account_id,
  oldEmail: row.old_email,
  newEmail: row.new_email,
  tokenHash: row.token_hash,
  undoTokenHash: row.undo_token_hash,
  expiresAt: row.expires_at,
  confirmedAt: row.confirmed_at,
  undoExpiresAt: row.undo_expires_at,
  undoneAt: row.undone_at,
  createdAt: row.created_at,
});

export function createSqlEmailChangeStore(db: Kysely<Database>): EmailChangeStore {
  const changes = () => db.selectFrom('email_changes').selectAll();
  return {
    async create(c) {
      await db
        .insertInto('email_changes')
        .values({
          id: c.id,
          account_id: c.accountId,
          old_email: c.oldEmail,
          new_email: c.newEmail,
          token_hash: c.tokenHash,
          undo_token_hash: c.undoTokenHash,
          expires_at: c.expiresAt,
          confirmed_at: c.confirmedAt,
          undo_expires_at: c.undoExpiresAt,
          undone_at: c.undoneAt,
          created_at: c.createdAt,
        })
        .execute();
    },
    async findByTokenHash(tokenHash) {
      const row = await changes().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toChange(row);
    },
    async findByUndoTokenHash(undoTokenHash) {
      const row = await changes().where('undo_token_hash', '=', undoTokenHash).executeTakeFirst();
      return row && toChange(row);
    },
    async confirm(id, atMs, undo) {
      const result = await db
        .updateTable('email_changes')
        .set({ confirmed_at: atMs, undo_expires_at: undo.expiresAt, undo_token_hash: undo.tokenHash })
        .where('id', '=', id)
        .where('confirmed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async undo(id, atMs) {
      const result = await db
        .updateTable('email_changes')
        .set({ undone_at: atMs })
        .where('id', '=', id)
        .where('confirmed_at', 'is not', null)
        .where('undone_at', 'is', null)
        .where('undo_expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async listForAccount(accountId) {
      return (await changes().where('account_id', '=', accountId).execute()).map(toChange);
    },
  };
}
