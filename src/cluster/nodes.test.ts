// The nodes serving one database agree on the shared settings: checked at join, on both databases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import { ClusterError, createNodeMembership, createSqlNodeStore } from './index.ts';

for (const dialect of await testDialects()) {
  describe(`cluster nodes on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    const node = (issuer: string, now = () => Date.now(), backstopMs = 30_000) =>
      createNodeMembership(createSqlNodeStore(fixture.store.db), { issuer }, backstopMs, now);

    it('refuses a node whose issuer differs from a live node, until that node leaves', async () => {
      const a = node('https://id.example.com');
      await a.join();
      await assert.rejects(node('https://other.example.com').join(), (err: ClusterError) => {
        assert.equal(err.key, 'issuer');
        assert.match(err.message, /https:\/\/other\.example\.com here but https:\/\/id\.example\.com/);
        return true;
      });
      await node('https://id.example.com').join();
      await a.leave();
    });

    it('of two nodes joining at once with different issuers, exactly one is refused', async () => {
      // Hours later: every earlier row is of a node gone.
      const later = () => Date.now() + 36_000_000;
      const joined = await Promise.allSettled([
        node('https://x.example.com', later).join(),
        node('https://y.example.com', later).join(),
      ]);
      assert.equal(joined.filter((j) => j.status === 'rejected').length, 1);
    });

    it('counts a node that stopped touching its row as gone after three backstop periods', async () => {
      let now = Date.now() + 72_000_000;
      const clock = () => now;
      // Every earlier row is now hours old: gone.
      const first = node('https://late.example.com', clock, 1000);
      await first.join();
      await assert.rejects(node('https://later.example.com', clock, 1000).join(), ClusterError);
      now += 2000;
      await first.touch();
      now += 2500;
      await assert.rejects(node('https://later.example.com', clock, 1000).join(), ClusterError, 'touched 2.5 s ago');
      now += 1000;
      await node('https://later.example.com', clock, 1000).join();
    });
  });
}
