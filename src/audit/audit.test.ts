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

    it('keeps one unbroken chain when two nodes append at the same time', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const [a, b] = [createAudit(fixture.store.db, systemClock), createAudit(fixture.store.db, systemClock)];
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).record({ actor: `node${i % 2}`, action: 'test.event', outcome: 'success' })));
      assert.deepEqual(await a.verify(), { ok: true, events: 20 });
    });
  });
}
