import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from '../store/index.ts';
import { systemClock } from '../clock/index.ts';
import { createAudit } from './index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/support/databases.ts';

for (const dialect of await testDialects()) {
  describe(`audit log on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await createTestDatabase(dialect);
      store = openStore(database.url);
      await store.migrate();
    });
    after(async () => { await store.close(); await database.drop(); });

    it('chains events appended concurrently and detects an edited row', async () => {
      const audit = createAudit(store.db, systemClock);
      await Promise.all(Array.from({ length: 10 }, (_, i) => audit.record({ actor: 'admin', action: 'test.event', subject: `s${i}`, outcome: 'success' })));
      assert.deepEqual(await audit.verify(), { ok: true, events: 10 });
      await store.db.updateTable('audit_events').set({ outcome: 'failure' }).where('seq', '=', 4).execute();
      assert.deepEqual(await audit.verify(), { ok: false, brokenAt: 4 });
    });
  });
}
