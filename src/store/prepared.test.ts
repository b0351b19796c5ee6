import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isUniqueViolation, prepared, PreparedQueryError } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

const byId = prepared((db, p: { id: string }) =>
  db.selectFrom('accounts').select(['id', 'email', 'name']).where('id', '=', p.id),
);
const rows = async (result: Promise<{ rows: object[] }>) => (await result).rows.map((row) => ({ ...row }));
const rename = prepared((db, p: { id: string; name: string | null; at: number }) =>
  db.updateTable('accounts').set({ name: p.name, updated_at: p.at }).where('id', '=', p.id),
);

for (const dialect of await testDialects()) {
  describe(`prepared queries on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    const add = async (id: string, email: string) => {
      const at = Date.now();
      await fixture.store.db
        .insertInto('accounts')
        .values({
          id,
          kind: 'customer',
          email,
          email_verified: 0,
          password_hash: null,
          name: null,
          status: 'active',
          created_at: at,
          updated_at: at,
        })
        .execute();
    };

    it("gives each call its own values, not the first call's", async () => {
      await add('p-1', 'one@example.com');
      await add('p-2', 'two@example.com');
      assert.deepEqual(await rows(byId(fixture.store.db, { id: 'p-1' })), [
        { id: 'p-1', email: 'one@example.com', name: null },
      ]);
      assert.deepEqual(await rows(byId(fixture.store.db, { id: 'p-2' })), [
        { id: 'p-2', email: 'two@example.com', name: null },
      ]);
      assert.deepEqual(await rows(byId(fixture.store.db, { id: 'nobody' })), []);
    });

    it('counts the rows an update changed, and stores null and hostile text as values', async () => {
      const hostile = "Robert'); drop table accounts; --";
      assert.equal((await rename(fixture.store.db, { id: 'p-1', name: hostile, at: 1 })).numAffectedRows, 1n);
      assert.equal((await byId(fixture.store.db, { id: 'p-1' })).rows[0].name, hostile);
      assert.equal((await rename(fixture.store.db, { id: 'p-1', name: null, at: 2 })).numAffectedRows, 1n);
      assert.equal((await byId(fixture.store.db, { id: 'p-1' })).rows[0].name, null);
      assert.equal((await rename(fixture.store.db, { id: 'nobody', name: 'x', at: 3 })).numAffectedRows, 0n);
    });

    it('runs inside a transaction, which sees its own uncommitted write', async () => {
      await fixture.store.db.transaction().execute(async (trx) => {
        await rename(trx, { id: 'p-2', name: 'in transaction', at: 4 });
        assert.equal((await byId(trx, { id: 'p-2' })).rows[0].name, 'in transaction');
      });
    });

    it("keeps a write made beside another flow's transaction out of it: its rollback loses nothing else", async () => {
      let inside!: () => void;
      const opened = new Promise<void>((resolve) => {
        inside = resolve;
      });
      let finish!: () => void;
      const held = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const rolledBack = fixture.store.db.transaction().execute(async (trx) => {
        await rename(trx, { id: 'p-1', name: 'undone', at: 5 });
        inside();
        await held;
        throw new Error('rolled back');
      });
      await opened;
      // On SQLite both flows share one connection: run at once, this update would be part of the transaction.
      const beside = rename(fixture.store.db, { id: 'p-2', name: 'kept', at: 6 });
      finish();
      await assert.rejects(rolledBack, /rolled back/);
      assert.equal((await beside).numAffectedRows, 1n);
      assert.equal(
        (await byId(fixture.store.db, { id: 'p-1' })).rows[0].name,
        null,
        "the transaction's own write is undone",
      );
      assert.equal((await byId(fixture.store.db, { id: 'p-2' })).rows[0].name, 'kept', 'the write beside it stays');
    });

    it('answers queries asked for at the same moment each with its own result, and one that fails fails alone', async () => {
      const insert = prepared((db, p: { id: string; email: string; at: number }) =>
        db.insertInto('accounts').values({
          id: p.id,
          kind: 'customer',
          email: p.email,
          email_verified: 0,
          password_hash: null,
          name: null,
          status: 'active',
          created_at: p.at,
          updated_at: p.at,
        }),
      );
      // On SQLite these three run in one transaction: the address taken already must not undo the rename beside it.
      const [renamed, taken, read] = await Promise.allSettled([
        rename(fixture.store.db, { id: 'p-1', name: 'together', at: 7 }),
        insert(fixture.store.db, { id: 'p-3', email: 'two@example.com', at: 7 }),
        byId(fixture.store.db, { id: 'p-2' }),
      ]);
      assert.equal(renamed.status === 'fulfilled' && renamed.value.numAffectedRows, 1n);
      assert.ok(
        taken.status === 'rejected' && isUniqueViolation(taken.reason),
        'the taken address is refused as a unique violation',
      );
      assert.deepEqual(read.status === 'fulfilled' && read.value.rows.map((row) => ({ ...row })), [
        { id: 'p-2', email: 'two@example.com', name: 'kept' },
      ]);
      assert.equal((await byId(fixture.store.db, { id: 'p-1' })).rows[0].name, 'together');
      assert.deepEqual(await rows(byId(fixture.store.db, { id: 'p-3' })), []);
    });

    it('refuses at first use a query that does not pass a parameter through as a value', async () => {
      const changed = prepared((db, p: { id: string }) =>
        db.selectFrom('accounts').select('id').where('id', '=', String(p.id)),
      );
      await assert.rejects(
        changed(fixture.store.db, { id: 'p-1' }),
        (err) =>
          err instanceof PreparedQueryError &&
          err.code === 'store.prepared_query' &&
          /does not bind id/.test(err.message),
      );
      const inArray = prepared((db, p: { id: string }) =>
        db
          .selectFrom('accounts')
          .select('id')
          .where('id', '=', sql<string>`${[p.id]}`),
      );
      await assert.rejects(inArray(fixture.store.db, { id: 'p-1' }), /puts a placeholder in a list/);
    });
  });
}
