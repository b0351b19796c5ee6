import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUniqueViolation, createSealer } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';

for (const dialect of await testDialects()) {
  describe(`store on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);

    it('migrates once and a second run has nothing to do', async () => {
      assert.deepEqual(await fixture.store.migrate(), []);
    });

    it('round-trips millisecond times as numbers and rejects a duplicate e-mail', async () => {
      const at = Date.now();
      const row = {
        id: 'a1',
        kind: 'customer' as const,
        email: 'x@example.com',
        email_verified: 0,
        password_hash: null,
        name: null,
        status: 'active' as const,
        created_at: at,
        updated_at: at,
      };
      await fixture.store.db.insertInto('accounts').values(row).execute();
      const found = await fixture.store.db
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', 'a1')
        .executeTakeFirstOrThrow();
      assert.equal(found.created_at, at);
      await assert.rejects(
        fixture.store.db
          .insertInto('accounts')
          .values({ ...row, id: 'a2' })
          .execute(),
        (err) => isUniqueViolation(err),
      );
    });

    it("finds a person's first VPN login, a sign-up confirmed during a sign-in page and a directory name's account by index, not by reading the whole table", async () => {
      const lookups = [
        sql`select seq from audit_events where subject = ${'acct-1'} and action = ${'radius.accept'} limit 1`,
        sql`select id from email_verifications where interaction_uid = ${'uid-1'} and consumed_at is not null`,
        // Every refused directory login looks up whom its name means (IdentityStore.findAccountByUsername).
        sql`select * from "accounts" where "kind" = ${'workforce'} and lower("username") = ${'alice'}`,
      ];
      for (const lookup of lookups) {
        const plan = await fixture.store.db.transaction().execute(async (trx) => {
          if (dialect === 'postgres') {
            // The planner reads a small table whole whatever indexes exist; forbidding that shows whether one does.
            await sql`set local enable_seqscan = off`.execute(trx);
            return (await sql<{ 'QUERY PLAN': string }>`explain ${lookup}`.execute(trx)).rows
              .map((r) => r['QUERY PLAN'])
              .join('\n');
          }
          return (await sql<{ detail: string }>`explain query plan ${lookup}`.execute(trx)).rows
            .map((r) => r.detail)
            .join('\n');
        });
        assert.match(
          plan,
          dialect === 'postgres' ? /Index (Only )?Scan|Bitmap Index Scan/ : /USING (COVERING )?INDEX/,
          plan,
        );
      }
    });

    it('counts attempts on connections that need not wait for the disk, and the counts are seen at once', async () => {
      const { store } = fixture;
      const setting = async (db: typeof store.db) =>
        (await sql<{ value: string }>`select current_setting('synchronous_commit') as value`.execute(db)).rows[0].value;
      if (dialect === 'postgres') {
        assert.equal(await setting(store.counters), 'off');
        // A code's single use and the audit log are records: their commits wait for the disk.
        assert.equal(await setting(store.db), 'on');
      } else assert.equal(store.counters, store.db);
      await store.counters
        .insertInto('rate_limits')
        .values({ key: 'vpn:station:"nat"', window_start: 1, count: 3 })
        .execute();
      const row = await store.db
        .selectFrom('rate_limits')
        .select('count')
        .where('key', '=', 'vpn:station:"nat"')
        .executeTakeFirst();
      assert.equal(row?.count, 3);
    });

    it('keeps an injection string as data', async () => {
      const at = Date.now();
      const hostile = "x'); DROP TABLE accounts; --@example.com";
      await fixture.store.db
        .insertInto('accounts')
        .values({
          id: 'a3',
          email: hostile,
          email_verified: 0,
          password_hash: null,
          name: null,
          status: 'active',
          created_at: at,
          updated_at: at,
        })
        .execute();
      const found = await fixture.store.db
        .selectFrom('accounts')
        .select('email')
        .where('email', '=', hostile)
        .executeTakeFirst();
      assert.equal(found?.email, hostile);
    });
  });
}

describe('sealing', () => {
  it('opens what it sealed, refuses another context and a tampered value, and opens with a previous key', () => {
    const oldKey = randomBytes(32);
    const sealed = createSealer(oldKey).seal('seed', 'otp:1');
    const rotated = createSealer(randomBytes(32), [oldKey]);
    assert.equal(rotated.open(sealed, 'otp:1'), 'seed');
    assert.throws(() => rotated.open(sealed, 'otp:2'), { code: 'store.unseal_failed' });
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'BBB' : 'AAA');
    assert.throws(() => rotated.open(tampered, 'otp:1'), { code: 'store.unseal_failed' });
    assert.throws(() => createSealer(randomBytes(32)).open(sealed, 'otp:1'), { code: 'store.unseal_failed' });
  });
});
