import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSealer } from '../store/index.ts';
import { manualClock, cryptoRandom } from '../clock/index.ts';
import { createOtpService, createSqlOtpStore, base32Decode, bindToDevice, hotp, totp, type OtpService } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

// Codes come from oathtool, the RFC reference implementation, as an authenticator app would show them.
const oathtool = (secretBase32: string, atMs: number) =>
  execFileSync('oathtool', ['--totp', '-b', `--now=@${Math.floor(atMs / 1000)}`, secretBase32], { encoding: 'utf8' }).trim();

for (const dialect of await testDialects()) {
  describe(`OTP tokens on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    const clock = manualClock(Date.UTC(2026, 10, 23, 9, 0, 0));
    let otp: OtpService;
    const account = async () => {
      const id = randomUUID();
      await fixture.store.db.insertInto('accounts').values({ id, email: `${id}@example.com`, email_verified: 1, password_hash: null, name: null, status: 'active', created_at: 0, updated_at: 0 }).execute();
      return id;
    };
    const enrolled = async (accountId: string) => {
      const enrolment = await otp.beginEnrolment(accountId, 'jsmith', 'mobile');
      await otp.confirmEnrolment(accountId, enrolment.tokenId, oathtool(enrolment.secretBase32, clock.now()));
      clock.advance(30_000);
      return { ...enrolment, accountId };
    };
    before(() => {
      otp = createOtpService({ store: createSqlOtpStore(fixture.store.db), sealer: createSealer(randomBytes(32)), clock, random: cryptoRandom, issuerName: 'Tessera' });
    });

    it('enrols by QR with a first code; a new phone makes the old one stop working (T17)', async () => {
      const id = await account();
      const first = await otp.beginEnrolment(id, 'jsmith', 'mobile');
      assert.match(first.otpauthUri, /^otpauth:\/\/totp\/Tessera:jsmith\?secret=[A-Z2-7]+&issuer=Tessera/);
      await assert.rejects(otp.confirmEnrolment(id, first.tokenId, '000000'), { code: 'otp.wrong_code' });
      await otp.confirmEnrolment(id, first.tokenId, oathtool(first.secretBase32, clock.now()));
      clock.advance(30_000);
      assert.ok(await otp.validate(id, oathtool(first.secretBase32, clock.now())));

      const second = await otp.beginEnrolment(id, 'jsmith', 'mobile');
      const { revoked } = await otp.confirmEnrolment(id, second.tokenId, oathtool(second.secretBase32, clock.now()));
      assert.deepEqual(revoked, [first.serial]);
      clock.advance(30_000);
      await assert.rejects(otp.validate(id, oathtool(first.secretBase32, clock.now())), { code: 'otp.wrong_code' });
      assert.ok(await otp.validate(id, oathtool(second.secretBase32, clock.now())));
      const states = (await otp.list(id)).map((t) => `${t.serial}:${t.state}`);
      assert.deepEqual(states, [`${first.serial}:revoked`, `${second.serial}:active`]);
      assert.ok(!JSON.stringify(await otp.list(id)).includes(second.secretBase32), 'the secret is never shown again');
    });

    it('refuses expired, foreign and unknown enrolments', async () => {
      const [a, b] = [await account(), await account()];
      const enrolment = await otp.beginEnrolment(a, 'a', 'mobile');
      await assert.rejects(otp.confirmEnrolment(b, enrolment.tokenId, oathtool(enrolment.secretBase32, clock.now())), { code: 'otp.enrolment_invalid' });
      await assert.rejects(otp.confirmEnrolment(a, randomUUID(), '123456'), { code: 'otp.enrolment_invalid' });
      clock.advance(11 * 60_000);
      await assert.rejects(otp.confirmEnrolment(a, enrolment.tokenId, oathtool(enrolment.secretBase32, clock.now())), { code: 'otp.enrolment_invalid' });
      await assert.rejects(otp.beginEnrolment(a, 'a', 'desktop'), { code: 'otp.enrolment_invalid' }, 'a desktop token needs the device serial');
    });

    it('accepts each code once, refuses an older step after a newer one, and a window of ±1 step only (T12, T14)', async () => {
      const id = await account();
      const { secretBase32 } = await enrolled(id);
      const code = oathtool(secretBase32, clock.now());
      assert.ok(await otp.validate(id, code));
      await assert.rejects(otp.validate(id, code), { code: 'otp.replayed' });
      await assert.rejects(otp.validate(id, oathtool(secretBase32, clock.now() - 30_000)), { code: 'otp.replayed' });
      clock.advance(90_000);
      assert.ok(await otp.validate(id, oathtool(secretBase32, clock.now() - 30_000)), 'one step late is fine');
      const early = await enrolled(await account());
      assert.ok(await otp.validate(early.accountId, oathtool(early.secretBase32, clock.now() + 30_000)), 'one step early is fine');
      const strict = await enrolled(await account());
      await assert.rejects(otp.validate(strict.accountId, oathtool(strict.secretBase32, clock.now() + 60_000)), { code: 'otp.wrong_code' });
      await assert.rejects(otp.validate(strict.accountId, oathtool(strict.secretBase32, clock.now() - 60_000)), { code: 'otp.wrong_code' });
    });

    it('lets exactly one of 20 simultaneous requests with one valid code succeed (T15)', async () => {
      const id = await account();
      const { secretBase32 } = await enrolled(id);
      const code = oathtool(secretBase32, clock.now());
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => otp.validate(id, code)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      // The others are told the code was used (and, being failures, may start the delay), never accepted.
      assert.ok(results.every((r) => r.status === 'fulfilled' || ['otp.replayed', 'otp.throttled'].includes((r.reason as { code: string }).code)));
    });

    it('refuses malformed codes without counting them', async () => {
      const id = await account();
      const { secretBase32 } = await enrolled(id);
      for (const bad of ['12345', '1234567', 'abcdef', '١٢٣٤٥٦', '１２３４５６', '12345x', '', ' ', '9'.repeat(1000), 123456, null, undefined, { code: '123456' }]) {
        await assert.rejects(otp.validate(id, bad), { code: 'otp.malformed' }, String(bad));
      }
      assert.ok(await otp.validate(id, oathtool(secretBase32, clock.now())));
    });

    it('answers an unknown account like a wrong code', async () => {
      await assert.rejects(otp.validate(randomUUID(), '123456'), { code: 'otp.wrong_code' });
      await assert.rejects(otp.validate(null, '123456'), { code: 'otp.wrong_code' });
    });

    it('delays after 10 failures with growing waits, locks at 100, and leaves other users alone (T13, T8)', async () => {
      const [victim, bystander] = [await account(), await account()];
      const { secretBase32 } = await enrolled(victim);
      const other = await enrolled(bystander);
      const wrong = (c: string) => (c === '000000' ? '111111' : '000000');
      for (let i = 0; i < 10; i++) await assert.rejects(otp.validate(victim, wrong(oathtool(secretBase32, clock.now()))), { code: 'otp.wrong_code' });
      // Now delayed: even the right code is not checked until the wait is over (no oracle for the guesser).
      const throttled = await otp.validate(victim, oathtool(secretBase32, clock.now())).catch((e) => e);
      assert.equal(throttled.code, 'otp.throttled');
      assert.equal(throttled.retryAfterSeconds, 30);
      assert.ok(await otp.validate(bystander, oathtool(other.secretBase32, clock.now())), 'another user is unaffected');
      clock.advance(31_000);
      await assert.rejects(otp.validate(victim, wrong(oathtool(secretBase32, clock.now()))), { code: 'otp.wrong_code' });
      assert.equal((await otp.validate(victim, oathtool(secretBase32, clock.now())).catch((e) => e)).retryAfterSeconds, 60, 'the wait doubles');
      clock.advance(61_000);
      assert.ok(await otp.validate(victim, oathtool(secretBase32, clock.now())), 'the real user gets in after the wait, and the count resets');
      for (let i = 0; i < 100; i++) {
        clock.advance(3_600_000);
        await assert.rejects(otp.validate(victim, wrong(oathtool(secretBase32, clock.now()))), { code: 'otp.wrong_code' });
      }
      clock.advance(3_600_000);
      await assert.rejects(otp.validate(victim, oathtool(secretBase32, clock.now())), { code: 'otp.locked' });
      const [token] = await otp.list(victim);
      await otp.unlock(token.serial);
      clock.advance(30_000);
      assert.ok(await otp.validate(victim, oathtool(secretBase32, clock.now())), 'the helpdesk unlock lets the user in again');
    });

    it('resynchronises a drifting token from two consecutive codes (T16)', async () => {
      const id = await account();
      const { secretBase32, serial } = await enrolled(id);
      const drifted = (steps: number) => oathtool(secretBase32, clock.now() + steps * 30_000);
      await assert.rejects(otp.validate(id, drifted(6)), { code: 'otp.wrong_code' });
      await assert.rejects(otp.resync(id, serial, drifted(6), drifted(8)), { code: 'otp.resync_failed' }, 'codes must be consecutive');
      await otp.resync(id, serial, drifted(6), drifted(7));
      clock.advance(30_000);
      assert.ok(await otp.validate(id, drifted(7)), 'the drift is remembered');
    });

    it('binds a desktop token to the device serial: the seed alone on another device does not work', async () => {
      const id = await account();
      const enrolment = await otp.beginEnrolment(id, 'jsmith', 'desktop', { deviceSerial: 'PF2ABCDE' });
      const seed = base32Decode(enrolment.secretBase32);
      const onOtherDevice = totp(seed, clock.now(), { algorithm: 'SHA1', digits: 6, periodSeconds: 30 });
      await assert.rejects(otp.confirmEnrolment(id, enrolment.tokenId, onOtherDevice), { code: 'otp.wrong_code' });
      const onThisDevice = totp(bindToDevice(seed, ' pf2abcde '), clock.now(), { algorithm: 'SHA1', digits: 6, periodSeconds: 30 });
      assert.ok(await otp.confirmEnrolment(id, enrolment.tokenId, onThisDevice));
    });

    it('assigns hardware tokens by serial beside the soft token, refuses a taken serial, and unbinds a lost one', async () => {
      const [a, b] = [await account(), await account()];
      const secret = randomBytes(20);
      const serial = `HOTP${randomBytes(3).toString('hex')}`;
      await otp.importHardware({ serial, secret, periodSeconds: null });
      await otp.assignHardware(a, serial);
      await assert.rejects(otp.assignHardware(b, serial), { code: 'otp.serial_taken' });
      await assert.rejects(otp.assignHardware(b, 'NOSUCHSERIAL'), { code: 'otp.serial_unknown' });
      const soft = await enrolled(a);
      const code = (counter: number) => hotp(secret, counter, { algorithm: 'SHA1', digits: 6 });
      assert.deepEqual(await otp.validate(a, code(3)), { serial }, 'within the look-ahead of 10');
      await assert.rejects(otp.validate(a, code(2)), { code: 'otp.replayed' }, 'the counter only moves forward');
      await assert.rejects(otp.validate(a, code(20)), { code: 'otp.wrong_code' }, 'beyond the look-ahead');
      assert.ok(await otp.validate(a, oathtool(soft.secretBase32, clock.now())), 'the soft token works beside it');
      await otp.unbind(serial);
      await assert.rejects(otp.validate(a, code(4)), { code: 'otp.wrong_code' });
    });
  });
}
