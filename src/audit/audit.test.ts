import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../clock/index.ts';
import { createAudit } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

for (const dialect of await testDialects()) {
  describe(`audit log on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);

    it('chains events appended concurrently and detects an edited row', async () => {
      const audit = createAudit(fixture.store.db, systemClock);
      await Promise.all(Array.from({ length: 10 }, (_, i) => audit.record({ actor: 'admin', action: 'test.event', subject: `s${i}`, outcome: 'success' })));
      assert.deepEqual(await audit.verify(), { ok: true, events: 10 });
      await fixture.store.db.updateTable('audit_events').set({ outcome: 'failure' }).where('seq', '=', 4).execute();
      assert.deepEqual(await audit.verify(), { ok: false, brokenAt: 4 });
    });

    it('appends a burst in the order it was recorded, each caller told when its own event is stored', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const audit = createAudit(fixture.store.db, systemClock);
      const subjects = Array.from({ length: 150 }, (_, i) => `b${i}`);
      await Promise.all(subjects.map(async (subject) => {
        await audit.record({ actor: 'admin', action: 'test.burst', subject, outcome: 'success' });
        assert.equal(await audit.hasEvent('test.burst', subject), true, subject);
      }));
      const rows = await fixture.store.db.selectFrom('audit_events').select('subject').orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => r.subject), subjects);
      assert.deepEqual(await audit.verify(), { ok: true, events: 150 });
    });

    it('keeps one unbroken chain when two nodes append at the same time', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const [a, b] = [createAudit(fixture.store.db, systemClock), createAudit(fixture.store.db, systemClock)];
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).record({ actor: `node${i % 2}`, action: 'test.event', outcome: 'success' })));
      assert.deepEqual(await a.verify(), { ok: true, events: 20 });
    });
  });
}
