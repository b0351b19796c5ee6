import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { hotp, OtpError } from './index.ts';
import { testDialects } from '../../test/support/databases.ts';
import { oathtool, otpWorld, wrongFor } from '../../test/support/otp-world.ts';

/** The error a refused attempt ends with (an accepted one fails the test). */
const refusal = (attempt: Promise<unknown>) =>
  attempt.then(
    () => assert.fail('accepted'),
    (e: unknown) => e as OtpError,
  );
const codeOf = (err: unknown) => (err instanceof OtpError ? err.code : String(err));

for (const dialect of await testDialects()) {
  describe(`OTP validation on ${dialect}`, () => {
    const w = otpWorld(dialect);
    const otp = () => w.otp();

    it('accepts each code once and refuses an older step after a newer one (T12)', async () => {
      const { accountId, secretBase32 } = await w.enrolled();
      const code = oathtool(secretBase32, w.clock.now());
      assert.ok(await otp().validate(accountId, code));
      await assert.rejects(otp().validate(accountId, code), { code: 'otp.replayed' });
      await assert.rejects(w.otp(1).validate(accountId, code), { code: 'otp.replayed' }, 'on the other node too');
      await assert.rejects(
        otp().validate(accountId, oathtool(secretBase32, w.clock.now() - 30_000)),
        { code: 'otp.replayed' },
        'an older, unused step',
      );
      w.clock.advance(30_000);
      assert.ok(
        await otp().validate(accountId, oathtool(secretBase32, w.clock.now() + 30_000)),
        'the next step, a little early',
      );
      await assert.rejects(
        otp().validate(accountId, oathtool(secretBase32, w.clock.now())),
        { code: 'otp.replayed' },
        'now older than the one used',
      );
    });

    it('accepts one step either side and refuses two, as oathtool counts them (T14)', async () => {
      for (const [offsetSteps, accepted] of [
        [-2, false],
        [-1, true],
        [0, true],
        [1, true],
        [2, false],
      ] as const) {
        const { accountId, secretBase32 } = await w.enrolled();
        w.clock.advance(5 * 30_000);
        const attempt = otp().validate(accountId, oathtool(secretBase32, w.clock.now() + offsetSteps * 30_000));
        if (accepted) assert.ok(await attempt, `offset ${offsetSteps}`);
        else await assert.rejects(attempt, { code: 'otp.wrong_code' }, `offset ${offsetSteps}`);
      }
      const wide = w.withPolicy({ windowSteps: 2 });
      const { accountId, secretBase32 } = await w.enrolled();
      w.clock.advance(5 * 30_000);
      assert.ok(
        await wide.validate(accountId, oathtool(secretBase32, w.clock.now() - 60_000)),
        'a configured window of 2',
      );
    });

    it('follows a token whose clock drifts, step by step', async () => {
      const { accountId, secretBase32 } = await w.enrolled();
      // The phone runs one step ahead: accepted, and from then on expected one step ahead.
      assert.ok(await otp().validate(accountId, oathtool(secretBase32, w.clock.now() + 30_000)));
      w.clock.advance(60_000);
      assert.ok(
        await otp().validate(accountId, oathtool(secretBase32, w.clock.now() + 60_000)),
        'two steps ahead now lies within the window',
      );
      assert.equal(w.events.at(-1)?.outcome, 'success');
    });

    it('lets exactly one of 20 simultaneous requests with one valid code succeed, across two nodes (T15)', async () => {
      for (const spread of [[0], [0, 1]] as const) {
        const { accountId, secretBase32 } = await w.enrolled();
        const code = oathtool(secretBase32, w.clock.now());
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => w.otp(spread[i % spread.length]).validate(accountId, code)),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `nodes ${spread.join('+')}`);
        // The others are told the code was used (and, being failures, may start the delay), never accepted.
        for (const r of results)
          if (r.status === 'rejected')
            assert.ok(['otp.replayed', 'otp.throttled'].includes(codeOf(r.reason)), codeOf(r.reason));
      }
    });

    it('lets exactly one of 20 simultaneous requests with one HOTP code succeed', async () => {
      const id = await w.account();
      const secret = randomBytes(20);
      const serial = `HW-${randomBytes(4).toString('hex')}`;
      await otp().importHardware({ serial, secret, periodSeconds: null });
      await otp().assignHardware(id, serial);
      const code = hotp(secret, 4, { algorithm: 'SHA1', digits: 6 });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => w.otp((i % 2) as 0 | 1).validate(id, code)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('refuses malformed codes without counting them', async () => {
      const { accountId, secretBase32 } = await w.enrolled();
      const hostile = [
        '12345',
        '1234567',
        '123456789',
        'abcdef',
        '١٢٣٤٥٦',
        '１２３４５６',
        '12345x',
        '12345\u0000',
        '123456\n',
        '',
        ' ',
        '9'.repeat(1000),
        "1' OR '1'='1",
        123456,
        1e6,
        null,
        undefined,
        ['123456'],
        { code: '123456' },
      ];
      for (const bad of hostile)
        await assert.rejects(otp().validate(accountId, bad), { code: 'otp.malformed' }, JSON.stringify(bad));
      assert.deepEqual(
        (await otp().list(accountId)).map((t) => t.failures),
        [0],
      );
      const spaced = oathtool(secretBase32, w.clock.now()).replace(/^(...)/, '$1 ');
      assert.ok(await otp().validate(accountId, spaced), 'a space between the groups is fine');
    });

    it('answers an unknown account, an account without tokens and a hostile id exactly like a wrong code', async () => {
      const withoutToken = await w.account();
      for (const id of [randomUUID(), withoutToken, null, '', "x' OR 1=1 --"]) {
        await assert.rejects(
          otp().validate(id, '123456'),
          (err: unknown) =>
            err instanceof OtpError && err.code === 'otp.wrong_code' && err.retryAfterSeconds === undefined,
        );
      }
      const { accountId } = await w.enrolled();
      const wrong = await otp()
        .validate(accountId, '123456')
        .catch((e: unknown) => e);
      const unknown = await otp()
        .validate(randomUUID(), '123456')
        .catch((e: unknown) => e);
      assert.deepEqual(
        { ...(wrong as object), message: (wrong as Error).message },
        { ...(unknown as object), message: (unknown as Error).message },
      );
      assert.equal(w.events.at(-1)?.outcome, 'wrong_code', 'the attempt is audited like any other');
    });

    it('delays after 10 failures with growing waits, locks at 100, and leaves other users alone (T13, T8)', async () => {
      const victim = await w.enrolled();
      const bystander = await w.enrolled();
      const code = () => oathtool(victim.secretBase32, w.clock.now());
      for (let i = 0; i < 10; i++)
        await assert.rejects(otp().validate(victim.accountId, wrongFor(code()), { source: '198.51.100.7' }), {
          code: 'otp.wrong_code',
        });
      // Now delayed: even the right code is not checked until the wait is over (no oracle for the guesser).
      const throttled = await refusal(otp().validate(victim.accountId, code()));
      assert.deepEqual([throttled.code, throttled.retryAfterSeconds], ['otp.throttled', 30]);
      assert.ok(
        await otp().validate(bystander.accountId, oathtool(bystander.secretBase32, w.clock.now())),
        'another user is unaffected',
      );
      w.clock.advance(31_000);
      await assert.rejects(otp().validate(victim.accountId, wrongFor(code())), { code: 'otp.wrong_code' });
      assert.equal((await refusal(otp().validate(victim.accountId, code()))).retryAfterSeconds, 60, 'the wait doubles');
      w.clock.advance(61_000);
      assert.ok(await otp().validate(victim.accountId, code()), 'the real user gets in after the wait');
      assert.deepEqual(
        (await otp().list(victim.accountId)).map((t) => t.failures),
        [0],
        'and the count starts again',
      );
      for (let i = 0; i < 100; i++) {
        w.clock.advance(3_600_000);
        await assert.rejects(otp().validate(victim.accountId, wrongFor(code())), { code: 'otp.wrong_code' });
      }
      w.clock.advance(3_600_000);
      await assert.rejects(
        otp().validate(victim.accountId, code()),
        { code: 'otp.locked' },
        'locked, said differently from a wrong code',
      );
      assert.ok(w.events.some((e) => e.action === 'otp.lock' && e.subject === victim.accountId));
      assert.deepEqual(
        w.events.filter((e) => e.source === '198.51.100.7').length,
        10,
        'each attempt is audited with its source',
      );
      await otp().unlock(victim.serial);
      w.clock.advance(30_000);
      assert.ok(await otp().validate(victim.accountId, code()), 'the helpdesk unlock lets the user in again');
    });

    it('compares at most 10 of 40 parallel wrong codes at one token, on two nodes, and holds the wait (T45)', async () => {
      const { accountId, secretBase32, serial } = await w.enrolled();
      const right = oathtool(secretBase32, w.clock.now());
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          w.otp((i % 2) as 0 | 1).validate(accountId, wrongFor(right), { source: '203.0.113.40' }),
        ),
      );
      const codes = results.map((r) => (r.status === 'rejected' ? codeOf(r.reason) : 'accepted'));
      assert.equal(codes.filter((c) => c === 'otp.wrong_code').length, 10, 'compared');
      assert.equal(codes.filter((c) => c === 'otp.throttled').length, 30, 'held back uncompared');
      const audited = w.events.filter((e) => e.subject === accountId && e.source === '203.0.113.40');
      assert.equal(audited.filter((e) => e.outcome === 'wrong_code').length, 10);
      assert.equal(audited.filter((e) => e.outcome === 'throttled').length, 30);
      const [token] = await otp().list(accountId);
      assert.deepEqual(
        [token.serial, token.failures, token.lockedUntil - w.clock.now()],
        [serial, 10, 30_000],
        'the tenth failure earned the first wait',
      );
      assert.deepEqual(
        [(await refusal(otp().validate(accountId, right))).code],
        ['otp.throttled'],
        'the right code waits too',
      );
      w.clock.advance(31_000);
      assert.ok(await otp().validate(accountId, oathtool(secretBase32, w.clock.now())), 'and is taken after the wait');
    });

    it('locks for good after maxFailures among 40 parallel wrong codes, comparing no more than that', async () => {
      const strict = w.withPolicy({ freeFailures: 4, maxFailures: 6 });
      const { accountId, secretBase32 } = await w.enrolled();
      const right = oathtool(secretBase32, w.clock.now());
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled(
          Array.from({ length: 40 }, () => strict.validate(accountId, wrongFor(right))),
        );
        const compared = results.filter((r) => r.status === 'rejected' && codeOf(r.reason) === 'otp.wrong_code').length;
        // 4 free failures, then one per wait (30 s, then 60 s), the sixth locks.
        assert.equal(compared, [4, 1, 1][round], `round ${round}`);
        w.clock.advance(3_600_000);
      }
      assert.equal((await otp().list(accountId))[0].state, 'locked');
      assert.equal(w.events.filter((e) => e.action === 'otp.lock' && e.subject === accountId).length, 1);
      await assert.rejects(strict.validate(accountId, oathtool(secretBase32, w.clock.now())), { code: 'otp.locked' });
    });

    it('gives back the failure it reserved on another token when one token takes the code', async () => {
      const { accountId, secretBase32 } = await w.enrolled();
      const secret = randomBytes(20);
      const serial = `HW-${randomBytes(4).toString('hex')}`;
      await otp().importHardware({ serial, secret });
      await otp().assignHardware(accountId, serial);
      await assert.rejects(otp().validate(accountId, wrongFor(oathtool(secretBase32, w.clock.now()))), {
        code: 'otp.wrong_code',
      });
      assert.deepEqual(
        (await otp().list(accountId)).map((t) => t.failures),
        [1, 1],
        'a wrong code counts on both',
      );
      assert.ok(await otp().validate(accountId, oathtool(secretBase32, w.clock.now())));
      assert.deepEqual(
        (await otp().list(accountId)).map((t) => [t.type, t.failures]),
        [
          ['mobile', 0],
          ['hardware', 1],
        ],
        'the hardware token keeps only its earlier failure',
      );
    });

    it('locks at the configured limit, never later than 100 failures', async () => {
      assert.throws(() => w.withPolicy({ maxFailures: 101 }), /maxFailures/);
      assert.throws(() => w.withPolicy({ windowSteps: 4 }), /windowSteps/);
      const strict = w.withPolicy({ freeFailures: 3, maxFailures: 3 });
      const { accountId, secretBase32 } = await w.enrolled();
      for (let i = 0; i < 3; i++)
        await assert.rejects(strict.validate(accountId, wrongFor(oathtool(secretBase32, w.clock.now()))), {
          code: 'otp.wrong_code',
        });
      w.clock.advance(24 * 3_600_000);
      await assert.rejects(strict.validate(accountId, oathtool(secretBase32, w.clock.now())), { code: 'otp.locked' });
    });

    it('resynchronises a drifting token from two consecutive codes, and counts failed tries (T16)', async () => {
      const { accountId, secretBase32, serial } = await w.enrolled();
      const drifted = (steps: number) => oathtool(secretBase32, w.clock.now() + steps * 30_000);
      await assert.rejects(otp().validate(accountId, drifted(6)), { code: 'otp.wrong_code' });
      await assert.rejects(
        otp().resync(accountId, serial, drifted(6), drifted(8)),
        { code: 'otp.resync_failed' },
        'codes must be consecutive',
      );
      await assert.rejects(
        otp().resync(accountId, serial, drifted(-200), drifted(-199)),
        { code: 'otp.resync_failed' },
        'beyond the resync range',
      );
      await assert.rejects(
        otp().resync(randomUUID(), serial, drifted(6), drifted(7)),
        { code: 'otp.serial_unknown' },
        'another account’s token',
      );
      await assert.rejects(otp().resync(accountId, serial, 'abc', drifted(7)), { code: 'otp.malformed' });
      assert.deepEqual(
        (await otp().list(accountId)).map((t) => t.failures),
        [3],
        'failed resyncs count toward the lock',
      );
      assert.equal((await otp().resync(accountId, serial, drifted(6), drifted(7))).serial, serial);
      await assert.rejects(
        otp().resync(accountId, serial, drifted(6), drifted(7)),
        { code: 'otp.resync_failed' },
        'not twice',
      );
      w.clock.advance(30_000);
      assert.ok(await otp().validate(accountId, drifted(7)), 'the drift is remembered');
    });

    it('answers from one read of the tokens exactly as hasActiveToken and validate do (a VPN login with password and code)', async () => {
      const { accountId, secretBase32, serial } = await w.enrolled();
      const pending = await w.account();
      await otp().beginEnrolment(pending, 'jdoe', 'mobile', { proof: 'first_factor' });
      for (const id of [accountId, pending, await w.account(), randomUUID()]) {
        assert.equal((await otp().tokensOf(id)).hasActive, await otp().hasActiveToken(id), id);
      }
      const code = oathtool(secretBase32, w.clock.now());
      const [first, second] = [await otp().tokensOf(accountId), await otp().tokensOf(accountId)];
      await assert.rejects(first.validate('12 34'), { code: 'otp.malformed' });
      assert.deepEqual(await first.validate(code, { source: '198.51.100.9' }), { serial, type: 'mobile' });
      // Read before the code was used, still refused: single use is the database's conditional update, not the read.
      await assert.rejects(second.validate(code), { code: 'otp.replayed' });
      await assert.rejects((await otp().tokensOf(accountId)).validate(code), { code: 'otp.replayed' });
      await assert.rejects(
        (await otp().tokensOf(pending)).validate(code),
        { code: 'otp.wrong_code' },
        'a pending token opens nothing',
      );
      assert.deepEqual(
        w.events
          .filter((e) => e.subject === accountId)
          .slice(-3)
          .map((e) => e.outcome),
        ['success', 'replayed', 'replayed'],
      );
      // The two replays counted toward the lock as well: 98 wrong codes reach the 100 failures.
      for (let i = 0; i < 98; i++) {
        w.clock.advance(3_600_000);
        await assert.rejects(
          (await otp().tokensOf(accountId)).validate(wrongFor(oathtool(secretBase32, w.clock.now()))),
          { code: 'otp.wrong_code' },
        );
      }
      w.clock.advance(3_600_000);
      const locked = await otp().tokensOf(accountId);
      assert.equal(locked.hasActive, await otp().hasActiveToken(accountId), 'a locked token, as hasActiveToken says');
      await assert.rejects(locked.validate(oathtool(secretBase32, w.clock.now())), { code: 'otp.locked' });
    });

    it('keeps an HOTP counter monotonic with a look-ahead of 10, and resyncs it with two consecutive values (T16)', async () => {
      const id = await w.account();
      const secret = randomBytes(20);
      const serial = `HOTP-${randomBytes(4).toString('hex')}`;
      await otp().importHardware({ serial, secret, algorithm: 'SHA256', digits: 8, periodSeconds: null });
      await otp().assignHardware(id, serial);
      const code = (counter: number) => hotp(secret, counter, { algorithm: 'SHA256', digits: 8 });
      await assert.rejects(otp().validate(id, code(10)), { code: 'otp.wrong_code' }, 'counters 0–9 only');
      assert.deepEqual(await otp().validate(id, code(9)), { serial, type: 'hardware' });
      await assert.rejects(otp().validate(id, code(3)), { code: 'otp.replayed' }, 'an old counter');
      await assert.rejects(otp().validate(id, code(9)), { code: 'otp.replayed' });
      await assert.rejects(otp().validate(id, code(20)), { code: 'otp.wrong_code' }, 'beyond the look-ahead');
      await otp().resync(id, serial, code(50), code(51));
      await assert.rejects(otp().validate(id, code(51)), { code: 'otp.replayed' });
      assert.ok(await otp().validate(id, code(55)));
    });
  });
}
