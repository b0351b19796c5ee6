// The two-key pattern as the edges use it, on both databases (the counters themselves are proven on every
// backend, Redis included, by conformance.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../clock/index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import { createAttemptGuard, createRateLimiter, defaultAttemptRules } from './index.ts';

for (const dialect of await testDialects()) {
  describe(`attempts per account and per source on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    const make = () => {
      const clock = manualClock();
      return { clock, guard: createAttemptGuard(createRateLimiter({ kind: 'database', db: fixture.store.db }, clock)) };
    };

    it('lets the real person in after the back-off, however long a flood on the account went on (T8)', async () => {
      const { clock, guard } = make();
      const { perAccount } = defaultAttemptRules.signin;
      for (let i = 0; i < perAccount.limit; i++) assert.equal((await guard.checkAttempt({ action: 'signin', account: 'victim@example.com', source: `203.0.113.${i}` })).allowed, true);
      // Distributed guesses: every source is fresh, the account is what stops them.
      for (let i = 0; i < 200; i++) assert.equal((await guard.checkAttempt({ action: 'signin', account: 'Victim@Example.com ', source: `198.51.${i >> 8}.${i & 255}` })).allowed, false);
      const waiting = await guard.checkAttempt({ action: 'signin', account: 'victim@example.com', source: '192.0.2.44' });
      assert.equal(waiting.allowed, false);
      assert.ok(waiting.retryAfterSeconds > 0 && waiting.retryAfterSeconds <= perAccount.windowSeconds);
      clock.advance(waiting.retryAfterSeconds * 1000);
      const victim = await guard.checkAttempt({ action: 'signin', account: 'victim@example.com', source: '192.0.2.44' });
      assert.deepEqual(victim, { allowed: true, remaining: perAccount.limit - 1, retryAfterSeconds: 0 });
    });

    it('stops one address spraying many accounts, and a success does not clear the address', async () => {
      const { guard } = make();
      const { perSource } = defaultAttemptRules.signin;
      let allowed = 0;
      for (let i = 0; i < perSource.limit + 20; i++) {
        const d = await guard.checkAttempt({ action: 'signin', account: `user${i}@example.com`, source: '203.0.113.66' });
        if (d.allowed) allowed++;
        // The sprayer signs in to an account of its own between guesses.
        await guard.recordSuccess({ action: 'signin', account: `user${i}@example.com` });
      }
      assert.equal(allowed, perSource.limit);
      // IPv6 neighbours in one /64 share the count.
      const v6 = Array.from({ length: perSource.limit + 1 }, (_, i) => guard.checkAttempt({ action: 'signin', source: `2001:db8:5:6::${(i + 1).toString(16)}` }));
      assert.equal((await Promise.all(v6)).filter((d) => d.allowed).length, perSource.limit);
    });

    it('clears the account count after a success, keeps actions apart and answers the stricter key', async () => {
      const { guard } = make();
      const { perAccount } = defaultAttemptRules.password_reset;
      for (let i = 0; i < perAccount.limit; i++) await guard.checkAttempt({ action: 'password_reset', account: 'ann@example.com', source: '192.0.2.1' });
      assert.equal((await guard.checkAttempt({ action: 'password_reset', account: 'ann@example.com', source: '192.0.2.1' })).allowed, false);
      assert.equal((await guard.checkAttempt({ action: 'signin', account: 'ann@example.com', source: '192.0.2.1' })).allowed, true);
      await guard.recordSuccess({ action: 'password_reset', account: 'ANN@example.com' });
      const after = await guard.checkAttempt({ action: 'password_reset', account: 'ann@example.com', source: '192.0.2.1' });
      assert.equal(after.allowed, true);
      // The source has counted 7 of 30, the account 1 of 5: the smaller allowance is the one reported.
      assert.equal(after.remaining, perAccount.limit - 1);
    });

    it('refuses an attempt with nothing to count or an unknown action, counting nothing', async () => {
      const { guard } = make();
      for (const attempt of [{ action: 'signin' }, { action: 'signin', account: '  ', source: '' }, { action: 'signin', account: 42 }]) {
        await assert.rejects(guard.checkAttempt(attempt as never), { code: 'ratelimit.invalid_key' });
      }
      for (const action of ['login', '__proto__', 'toString', undefined]) {
        await assert.rejects(guard.checkAttempt({ action, account: 'a' } as never), { code: 'ratelimit.invalid_rule' });
        await assert.rejects(guard.recordSuccess({ action, account: 'a' } as never), { code: 'ratelimit.invalid_rule' });
      }
    });
  });
}
