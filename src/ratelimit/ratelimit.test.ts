import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../clock/index.ts';
import { createRateLimiter } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

for (const dialect of await testDialects()) {
  describe(`rate limits on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    it('allows exactly the limit among 50 simultaneous attempts, across two nodes', async () => {
      const clock = manualClock();
      const [a, b] = [createRateLimiter(fixture.store.db, clock), createRateLimiter(fixture.store.db, clock)];
      const rule = { limit: 10, windowSeconds: 60 };
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).consume('signin:ip:203.0.113.9', rule)));
      assert.equal(decisions.filter((d) => d.allowed).length, 10);
      assert.ok(decisions.every((d) => d.retryAfterSeconds > 0 && d.retryAfterSeconds <= 60));
    });

    it('throttles but never locks for good: the next window allows again, and other keys are untouched', async () => {
      const clock = manualClock();
      const limiter = createRateLimiter(fixture.store.db, clock);
      const rule = { limit: 3, windowSeconds: 60 };
      for (let i = 0; i < 3; i++) await limiter.check([{ key: 'signin:account:victim', rule }]);
      await assert.rejects(limiter.check([{ key: 'signin:account:victim', rule }]), (err: { code: string; retryAfterSeconds: number }) => err.code === 'web.rate_limited' && err.retryAfterSeconds > 0);
      await limiter.check([{ key: 'signin:account:someone-else', rule }]);
      clock.advance(61_000);
      await limiter.check([{ key: 'signin:account:victim', rule }]);
      await limiter.reset('signin:account:victim');
      await limiter.purge(0);
      assert.equal((await fixture.store.db.selectFrom('rate_limits').select('key').execute()).length, 0);
    });

    it('refuses a key already over its limit without counting the check itself', async () => {
      const limiter = createRateLimiter(fixture.store.db, manualClock());
      const rule = { limit: 2, windowSeconds: 60 };
      await limiter.ensureUnder('api:user:x', rule);
      await limiter.consume('api:user:x', rule);
      await limiter.ensureUnder('api:user:x', rule);
      await limiter.consume('api:user:x', rule);
      await assert.rejects(limiter.ensureUnder('api:user:x', rule), { code: 'web.rate_limited' });
    });

    it('keeps hostile keys as data', async () => {
      const limiter = createRateLimiter(fixture.store.db, manualClock());
      for (const hostile of [`signin:account:'); DROP TABLE rate_limits; --${'x'.repeat(500)}`, 'signin:account:alice\u0000', 'signin:account:\ud800']) {
        assert.equal((await limiter.consume(hostile, { limit: 1, windowSeconds: 60 })).allowed, true, JSON.stringify(hostile));
      }
    });
  });
}
