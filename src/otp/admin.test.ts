import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hotp, totp } from './index.ts';
import { testDialects } from '../../test/support/databases.ts';
import { otpWorld } from '../../test/support/otp-world.ts';

for (const dialect of await testDialects()) {
  describe(`OTP helpdesk operations on ${dialect}`, () => {
    const w = otpWorld(dialect);
    const otp = () => w.otp();
    const newSerial = () => `HW-${randomBytes(4).toString('hex').toUpperCase()}`;

    it('assigns a hardware token by serial, refuses a serial owned by someone else, and unbinds a lost one (T18)', async () => {
      const [a, b] = [await w.account(), await w.account()];
      const secret = randomBytes(20);
      const serial = newSerial();
      await otp().importHardware({ serial, secret, periodSeconds: null });
      assert.equal(await otp().hasActiveToken(a), false, "an imported token is nobody's yet");
      assert.equal((await otp().assignHardware(a, ` ${serial} `)).state, 'active');
      assert.equal(await otp().hasActiveToken(a), true, 'the sign-in pages now ask for its code');
      await assert.rejects(otp().assignHardware(b, serial), { code: 'otp.serial_taken' });
      assert.equal(await otp().hasActiveToken(b), false);
      await assert.rejects(otp().assignHardware(a, serial), { code: 'otp.serial_taken' }, 'already assigned');
      for (const bad of ['NOSUCHSERIAL', '', "x' OR '1'='1", 'x'.repeat(65)]) {
        await assert.rejects(otp().assignHardware(b, bad), { code: 'otp.serial_unknown' }, bad);
      }
      const code = (counter: number) => hotp(secret, counter, { algorithm: 'SHA1', digits: 6 });
      assert.ok(await otp().validate(a, code(0)));
      await otp().unbind(serial);
      await assert.rejects(otp().validate(a, code(1)), { code: 'otp.wrong_code' }, 'an unbound token stops at once');
      assert.equal(await otp().hasActiveToken(a), false, 'and the person is asked to register a new one');
      await assert.rejects(otp().unbind(serial), { code: 'otp.serial_unknown' }, 'not twice');
      await assert.rejects(
        otp().assignHardware(b, serial),
        { code: 'otp.serial_unknown' },
        'a lost token is not handed out again',
      );
      assert.deepEqual(
        w.events.filter((e) => e.details?.serial === serial).map((e) => `${e.action}:${e.outcome}`),
        [
          'otp.import:success',
          'otp.assign:success',
          'otp.assign:denied',
          'otp.assign:denied',
          'otp.validate:success',
          'otp.unbind:success',
        ],
      );
    });

    it('lists an account’s tokens with what the helpdesk needs and never a secret', async () => {
      const id = await w.account();
      const secret = randomBytes(32);
      const serial = newSerial();
      await otp().importHardware({ serial, secret, algorithm: 'SHA256', digits: 8, periodSeconds: 60 });
      await otp().assignHardware(id, serial);
      await w.enrolled(id);
      const tokens = await otp().list(id);
      assert.deepEqual(tokens.map((t) => [t.type, t.kind, t.algorithm, t.digits, t.periodSeconds, t.state]).sort(), [
        ['hardware', 'totp', 'SHA256', 8, 60, 'active'],
        ['mobile', 'totp', 'SHA1', 6, 30, 'active'],
      ]);
      const text = JSON.stringify(tokens);
      assert.ok(
        !text.includes(secret.toString('hex')) && !text.includes(secret.toString('base64')) && !/secret/i.test(text),
      );
      assert.ok(
        await otp().validate(id, totp(secret, w.clock.now(), { algorithm: 'SHA256', digits: 8, periodSeconds: 60 })),
      );
      assert.deepEqual(await otp().list('nobody'), []);
    });

    it('does not list a registration abandoned as a token, and forgets it once expired (issue 17)', async () => {
      const id = await w.account();
      const { serial } = await w.enrolled(id);
      const abandoned = await otp().beginEnrolment(id, 'jsmith', 'mobile', { proof: 'second_factor' });
      const listed = (await otp().list(id)).map((t) => [t.serial, t.state]);
      assert.deepEqual(listed, [[serial, 'active']], 'only the token in use');
      const hardware = newSerial();
      await otp().importHardware({ serial: hardware, secret: randomBytes(20) });
      assert.equal(await otp().forgetExpiredEnrolments(), 0, 'nothing forgotten while the registration may finish');
      assert.ok(await otp().pendingEnrolment(id, abandoned.tokenId, 'jsmith'), 'its QR is shown again meanwhile');
      w.clock.advance(otp().policy.enrolmentTtlSeconds * 1000);
      assert.equal(await otp().forgetExpiredEnrolments(), 1);
      const row = w.nodes[0].db.selectFrom('otp_tokens').select('id').where('id', '=', abandoned.tokenId);
      assert.equal(await row.executeTakeFirst(), undefined);
      const assigned = await otp().assignHardware(id, hardware);
      assert.equal(assigned.state, 'active', 'a hardware token waiting for a person stays');
      assert.deepEqual(
        (await otp().list(id)).map((t) => t.state),
        ['active', 'active'],
      );
    });

    it('refuses hardware imports that would be weak, malformed or duplicated', async () => {
      const serial = newSerial();
      await otp().importHardware({ serial, secret: randomBytes(20) });
      await assert.rejects(otp().importHardware({ serial, secret: randomBytes(20) }), { code: 'otp.serial_taken' });
      await assert.rejects(
        otp().importHardware({ serial: newSerial(), secret: randomBytes(10) }),
        RangeError,
        'below 128 bits',
      );
      await assert.rejects(
        otp().importHardware({ serial: newSerial(), secret: randomBytes(20), digits: 7 as 6 }),
        RangeError,
      );
      await assert.rejects(
        otp().importHardware({ serial: newSerial(), secret: randomBytes(20), periodSeconds: 45 }),
        RangeError,
      );
      await assert.rejects(otp().importHardware({ serial: 'bad serial<script>', secret: randomBytes(20) }), {
        code: 'otp.serial_unknown',
      });
    });

    it('lifts a running delay or a lock for the helpdesk, and nothing else', async () => {
      const { accountId, serial } = await w.enrolled();
      for (let i = 0; i < 10; i++)
        await assert.rejects(otp().validate(accountId, '000000'), { code: /otp\.(wrong_code|replayed)/ });
      await assert.rejects(otp().validate(accountId, '000000'), { code: 'otp.throttled' });
      await otp().unlock(serial);
      assert.deepEqual(
        (await otp().list(accountId)).map((t) => [t.failures, t.lockedUntil]),
        [[0, 0]],
      );
      await assert.rejects(otp().unlock('NOSUCHSERIAL'), { code: 'otp.serial_unknown' });
    });
  });
}
