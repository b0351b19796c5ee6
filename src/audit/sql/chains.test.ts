// The audit log's chains (issue 25): each writer appends to its own chain without waiting for the others, each
// chain verifies on its own, anchors catch a removed tail, and the rows from before chains still verify.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Migrator, type Migration } from 'kysely';
import pg from 'pg';
import { systemClock } from '../../clock/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { migrations } from '../../store/migrations/index.ts';
import { createAudit, createSqlAuditStore, type AuditStore, type AuditVerdict } from '../index.ts';
import {
  createTestDatabase,
  postgresBaseUrl,
  testDialects,
  useMigratedStore,
} from '../../../test/support/databases.ts';

const event = (actor: string, i: number) => ({
  actor,
  action: 'test.event',
  subject: `s${i}`,
  outcome: 'success',
});

// The real store, counting what it is asked: an append that found its place taken is a retry.
function counting(store: AuditStore) {
  const counts = { appends: 0, taken: 0 };
  const counted: AuditStore = {
    ...store,
    async append(events) {
      counts.appends++;
      const result = await store.append(events);
      if (result === 'taken') counts.taken++;
      return result;
    },
  };
  return { store: counted, counts };
}

function brokenChain(verdict: AuditVerdict, chain: string) {
  const found = verdict.chains.find((c) => c.chain === chain);
  assert.ok(found, `chain ${chain} reported`);
  return { ok: found.ok, brokenAt: found.brokenAt, problem: found.problem, anchor: found.anchor };
}

async function reset(store: Store) {
  await store.db.deleteFrom('audit_events').execute();
  await store.db.deleteFrom('audit_chains').execute();
}

for (const dialect of await testDialects()) {
  describe(`audit chains on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);

    it('two processes append concurrently on their own chains: no retry, no error, each chain verifies', async () => {
      // Two connection pools to one database: what two processes (or nodes) have.
      const database = await createTestDatabase(dialect);
      const one = openStore(database.url);
      await one.migrate();
      const other = openStore(database.url);
      try {
        const warnings: string[] = [];
        const a = counting(createSqlAuditStore(one.db));
        const b = counting(createSqlAuditStore(other.db));
        const options = (chain: string) => ({ chain, anchorEveryRows: 50, warn: (m: string) => warnings.push(m) });
        const auditA = createAudit(a.store, systemClock, undefined, options('node-a/w0/0001'));
        const auditB = createAudit(b.store, systemClock, undefined, options('node-b/w0/0002'));
        // In waves, so that appends interleave and the anchors see each other's heads move.
        for (let wave = 0; wave < 10; wave++) {
          await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              (i % 2 ? auditA : auditB).record(event(i % 2 ? 'a' : 'b', wave * 40 + i)),
            ),
          );
        }
        assert.deepEqual(warnings, []);
        assert.deepEqual([a.counts.taken, b.counts.taken], [0, 0], 'no append found its place taken');
        const verdict = await auditA.verify();
        assert.equal(verdict.ok, true, JSON.stringify(verdict));
        assert.equal(verdict.events, 400);
        assert.deepEqual(
          verdict.chains.map((c) => [c.chain, c.events, c.ok]),
          [
            ['node-a/w0/0001', 200, true],
            ['node-b/w0/0002', 200, true],
          ],
        );
        assert.ok(verdict.anchors > 2, 'the chains anchored each other');
        const listed = await auditA.list({ limit: 1000 });
        assert.equal(listed.length, 400, 'anchors are not listed');
        assert.equal(new Set(listed.map((e) => e.id)).size, 400);
        auditA.close();
        auditB.close();
      } finally {
        await other.close();
        await one.close();
        await database.drop();
      }
    });

    it('catches an edited row, a removed row, and a removed tail another chain anchored, with chain and place', async () => {
      await reset(fixture.store);
      const { db } = fixture.store;
      const open = (chain: string) =>
        createAudit(createSqlAuditStore(db), systemClock, undefined, { chain, anchorEveryRows: 5 });
      const a = open('a');
      const b = open('b');
      for (let i = 0; i < 10; i++) await a.record(event('a', i));
      // b's first batch starts with an anchor of a's head (a at 10).
      for (let i = 0; i < 3; i++) await b.record(event('b', i));
      const intact = await a.verify();
      assert.equal(intact.ok, true, JSON.stringify(intact));
      const anchorOfA = await db
        .selectFrom('audit_events')
        .select(['seq', 'details'])
        .where('chain', '=', 'b')
        .where('action', '=', 'audit.anchor')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(anchorOfA.details).heads[0].slice(0, 2), ['a', 10]);

      // The tail of a that b anchored: removed, caught.
      await db.deleteFrom('audit_events').where('chain', '=', 'a').where('seq', '>=', 9).execute();
      let verdict = await a.verify();
      assert.equal(verdict.ok, false);
      assert.deepEqual(brokenChain(verdict, 'a'), {
        ok: false,
        brokenAt: 9,
        problem: 'tail_removed',
        anchor: { chain: 'b', seq: anchorOfA.seq },
      });
      assert.equal(brokenChain(verdict, 'b').ok, true);
      assert.deepEqual(verdict.ok ? [] : [verdict.chain, verdict.brokenAt], ['a', 9]);

      // A row in the middle: removed, caught where the places jump.
      await reset(fixture.store);
      const c = open('c');
      for (let i = 0; i < 6; i++) await c.record(event('c', i));
      await db.deleteFrom('audit_events').where('chain', '=', 'c').where('seq', '=', 3).execute();
      verdict = await c.verify();
      assert.deepEqual(brokenChain(verdict, 'c'), { ok: false, brokenAt: 3, problem: 'missing', anchor: undefined });

      // A row edited: caught at that row.
      await reset(fixture.store);
      const d = open('d');
      for (let i = 0; i < 6; i++) await d.record(event('d', i));
      await db
        .updateTable('audit_events')
        .set({ outcome: 'failure' })
        .where('chain', '=', 'd')
        .where('seq', '=', 4)
        .execute();
      verdict = await d.verify();
      assert.deepEqual(brokenChain(verdict, 'd'), { ok: false, brokenAt: 4, problem: 'changed', anchor: undefined });
      // A row moved to another chain with its hashes: it is not that chain's row.
      await db.updateTable('audit_events').set({ outcome: 'success' }).where('chain', '=', 'd').execute();
      await db.updateTable('audit_events').set({ chain: 'e' }).where('chain', '=', 'd').where('seq', '=', 1).execute();
      verdict = await d.verify();
      assert.equal(brokenChain(verdict, 'e').problem, 'changed');
    });

    it('reads the other heads once per anchorEveryRows rows, also when none of them moved', async () => {
      await reset(fixture.store);
      const still = createAudit(createSqlAuditStore(fixture.store.db), systemClock, undefined, { chain: 'still' });
      await still.record(event('still', 0));
      const sqlStore = createSqlAuditStore(fixture.store.db);
      let reads = 0;
      const counted: AuditStore = { ...sqlStore, heads: (except) => (reads++, sqlStore.heads(except)) };
      const busy = createAudit(counted, systemClock, undefined, { chain: 'busy', anchorEveryRows: 5 });
      for (let i = 0; i < 20; i++) await busy.record(event('busy', i));
      // At its start, then after rows 5, 10, 15 and 20 only; the first anchored `still`, the others had nothing new.
      assert.equal(reads, 5);
      const verdict = await busy.verify();
      assert.deepEqual(
        verdict.chains.map((c) => [c.chain, c.events, c.anchors]),
        [
          ['busy', 20, 1],
          ['still', 1, 0],
        ],
      );
    });

    it('does not catch a tail no anchor saw yet: the limit verify states', async () => {
      await reset(fixture.store);
      const a = createAudit(createSqlAuditStore(fixture.store.db), systemClock, undefined, { chain: 'a' });
      for (let i = 0; i < 5; i++) await a.record(event('a', i));
      await fixture.store.db.deleteFrom('audit_events').where('seq', '>=', 4).execute();
      const verdict = await a.verify();
      assert.equal(verdict.ok, true);
      assert.equal(verdict.events, 3);
    });

    it('catches a forged anchor: one written with correct hashes that names a head the other chain never had', async () => {
      await reset(fixture.store);
      const { db } = fixture.store;
      const a = createAudit(createSqlAuditStore(db), systemClock, undefined, { chain: 'a' });
      for (let i = 0; i < 4; i++) await a.record(event('a', i));
      // The forger appends to chain b through the audit module itself, so b's own hashes are right.
      const forger = createAudit(createSqlAuditStore(db), systemClock, undefined, { chain: 'b' });
      await forger.record(event('b', 0)); // starts with a true anchor of a at 4
      await forger.record({
        actor: 'tessera',
        action: 'audit.anchor',
        outcome: 'success',
        details: { heads: [['a', 3, 'f'.repeat(64)]] },
      });
      let verdict = await a.verify();
      assert.equal(verdict.ok, false);
      const forged = await db
        .selectFrom('audit_events')
        .select('seq')
        .where('chain', '=', 'b')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(brokenChain(verdict, 'a'), {
        ok: false,
        brokenAt: 3,
        problem: 'anchor_mismatch',
        anchor: { chain: 'b', seq: forged.seq },
      });
      // An anchor naming a chain that has no rows at all.
      await forger.record({
        actor: 'tessera',
        action: 'audit.anchor',
        outcome: 'success',
        details: { heads: [['ghost', 7, 'e'.repeat(64)]] },
      });
      verdict = await a.verify();
      assert.equal(brokenChain(verdict, 'ghost').problem, 'tail_removed');
      // An anchor edited in place (its heads changed): its own chain breaks there.
      await reset(fixture.store);
      const c = createAudit(createSqlAuditStore(db), systemClock, undefined, { chain: 'c' });
      const d = createAudit(createSqlAuditStore(db), systemClock, undefined, { chain: 'd' });
      await c.record(event('c', 0));
      await d.record(event('d', 0));
      const anchor = await db
        .selectFrom('audit_events')
        .select(['seq', 'details'])
        .where('chain', '=', 'd')
        .where('action', '=', 'audit.anchor')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('audit_events')
        .set({ details: anchor.details.replace('"c",1', '"c",2') })
        .where('chain', '=', 'd')
        .where('seq', '=', anchor.seq)
        .execute();
      verdict = await c.verify();
      assert.deepEqual(brokenChain(verdict, 'd').problem, 'changed');
    });

    it('keeps the rows written before chains as the chain legacy, which still verifies and is anchored', async () => {
      const database = await createTestDatabase(dialect);
      if (dialect === 'postgres') await createSchema(database.url);
      const store = openStore(database.url);
      try {
        // The database as it was before migration 0020, with rows chained the old way.
        const schema = new URL(database.url).searchParams.get('schema');
        const before = new Migrator({
          db: store.db,
          provider: { getMigrations: async () => migrations as Record<string, Migration> },
          migrationTableName: 'tessera_migrations',
          migrationLockTableName: 'tessera_migrations_lock',
          allowUnorderedMigrations: true,
          ...(schema ? { migrationTableSchema: schema } : {}),
        });
        const { error } = await before.migrateTo('0018_account_locale');
        assert.equal(error, undefined);
        let prev = '0'.repeat(64);
        const old: Array<Record<string, unknown>> = [];
        for (let seq = 1; seq <= 5; seq++) {
          const row = {
            seq,
            at: 1_700_000_000_000 + seq,
            actor: 'radius',
            action: 'radius.reject',
            subject: null,
            source: '192.0.2.1',
            outcome: 'failure',
            // A gateway's NUL in a name (row 2): PostgreSQL's text cannot hold it.
            details: JSON.stringify({ client: 'vpn', user: seq === 2 ? 'nul\u0000name' : `CORP\\User${seq}` }),
          };
          const hash = createHash('sha256')
            .update(
              JSON.stringify([
                prev,
                row.seq,
                row.at,
                row.actor,
                row.action,
                row.subject,
                row.source,
                row.outcome,
                row.details,
              ]),
            )
            .digest('hex');
          old.push({ ...row, prev_hash: prev, hash });
          prev = hash;
        }
        await store.db
          .insertInto('audit_events')
          .values(old as never)
          .execute();
        await store.migrate();

        const audit = createAudit(createSqlAuditStore(store.db), systemClock, undefined, { chain: 'n/serve/1' });
        await audit.record(event('new', 1));
        let verdict = await audit.verify();
        assert.equal(verdict.ok, true, JSON.stringify(verdict));
        assert.deepEqual(
          verdict.chains.map((c) => [c.chain, c.events, c.anchors, c.ok]),
          [
            ['legacy', 5, 0, true],
            ['n/serve/1', 1, 1, true],
          ],
        );
        // The helpdesk finds the legacy rows by the name typed, without case, through the new column.
        const found = await audit.list({ who: { name: 'corp\\user3' }, limit: 10 });
        assert.deepEqual(
          found.map((e) => [e.chain, e.seq]),
          [['legacy', 3]],
        );
        // Paging newest first across chains goes on from the id of the last event shown.
        const [newest, ...rest] = await audit.list({ limit: 10 });
        assert.equal(newest.chain, 'n/serve/1');
        assert.deepEqual(
          (await audit.list({ before: newest.id, limit: 10 })).map((e) => e.id),
          rest.map((e) => e.id),
        );
        // The new chain's start anchored the legacy head: removing it is caught.
        await store.db.deleteFrom('audit_events').where('chain', '=', 'legacy').where('seq', '=', 5).execute();
        verdict = await audit.verify();
        assert.deepEqual(verdict.ok ? [] : [verdict.chain, verdict.brokenAt, verdict.problem], [
          'legacy',
          5,
          'tail_removed',
        ]);
        audit.close();
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}

async function createSchema(url: string) {
  const schema = new URL(url).searchParams.get('schema');
  const client = new pg.Client({ connectionString: postgresBaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await client.end();
  }
}
