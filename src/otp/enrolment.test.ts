import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { base32Decode, bindToDevice, hotp, totp } from './index.ts';
import { testDialects } from '../../test/support/databases.ts';
import { oathtool, otpWorld, wrongFor } from '../../test/support/otp-world.ts';

for (const dialect of await testDialects()) {
  describe(`OTP enrolment on ${dialect}`, () => {
    const w = otpWorld(dialect);
    const otp = () => w.otp();

    it('enrols by QR with a first code; a new phone makes the old one stop working at once (T17)', async () => {
      const id = await w.account();
      const first = await otp().beginEnrolment(id, 'j smith@corp', 'mobile', { proof: 'first_factor' });
      assert.match(
        first.otpauthUri,
        /^otpauth:\/\/totp\/Tessera:j%20smith%40corp\?secret=[A-Z2-7]{32}&issuer=Tessera&algorithm=SHA1&digits=6&period=30$/,
      );
      assert.equal(base32Decode(first.secretBase32).length, 20, 'a fresh 160-bit secret');
      await assert.rejects(
        otp().confirmEnrolment(id, first.tokenId, wrongFor(oathtool(first.secretBase32, w.clock.now())), {
          proof: 'first_factor',
        }),
        { code: 'otp.wrong_code' },
      );
      assert.equal(await otp().hasActiveToken(id), false, 'a token waiting for its first code asks for no code yet');
      await otp().confirmEnrolment(id, first.tokenId, oathtool(first.secretBase32, w.clock.now()), {
        proof: 'first_factor',
      });
      assert.equal(await otp().hasActiveToken(id), true);
      w.clock.advance(30_000);
      assert.ok(await otp().validate(id, oathtool(first.secretBase32, w.clock.now())));

      const second = await otp().beginEnrolment(id, 'jsmith', 'mobile', { proof: 'second_factor' });
      assert.notEqual(second.secretBase32, first.secretBase32);
      const { token, revoked } = await otp().confirmEnrolment(
        id,
        second.tokenId,
        oathtool(second.secretBase32, w.clock.now()),
        { proof: 'second_factor' },
      );
      assert.equal(token.state, 'active');
      assert.deepEqual(
        revoked.map((t) => [t.serial, t.type, t.state]),
        [[first.serial, 'mobile', 'revoked']],
        'the caller can tell the person which token stopped',
      );
      w.clock.advance(30_000);
      await assert.rejects(otp().validate(id, oathtool(first.secretBase32, w.clock.now())), { code: 'otp.wrong_code' });
      assert.ok(await otp().validate(id, oathtool(second.secretBase32, w.clock.now())));
      assert.deepEqual(
        (await otp().list(id)).map((t) => `${t.serial}:${t.state}`),
        [`${first.serial}:revoked`, `${second.serial}:active`],
      );
    });

    it('keeps hardware tokens working beside a newly enrolled software token', async () => {
      const id = await w.account();
      const secret = randomBytes(20);
      const serial = `HW-${randomBytes(4).toString('hex')}`;
      await otp().importHardware({ serial, secret, periodSeconds: null });
      await otp().assignHardware(id, serial);
      const desk = await otp().beginEnrolment(id, 'jsmith', 'desktop', {
        deviceSerial: 'PF2ABCDE',
        proof: 'second_factor',
      });
      const deskSecret = bindToDevice(base32Decode(desk.secretBase32), 'PF2ABCDE');
      await otp().confirmEnrolment(
        id,
        desk.tokenId,
        totp(deskSecret, w.clock.now(), { algorithm: 'SHA1', digits: 6, periodSeconds: 30 }),
        { proof: 'second_factor' },
      );
      const phone = await w.enrolled(id);
      assert.deepEqual((await otp().list(id)).map((t) => `${t.type}:${t.state}`).sort(), [
        'desktop:revoked',
        'hardware:active',
        'mobile:active',
      ]);
      assert.equal((await otp().validate(id, hotp(secret, 0, { algorithm: 'SHA1', digits: 6 }))).type, 'hardware');
      assert.equal((await otp().validate(id, oathtool(phone.secretBase32, w.clock.now()))).serial, phone.serial);
    });

    it('refuses expired, foreign, unknown, reused and hostile enrolment ids with one code', async () => {
      const [a, b] = [await w.account(), await w.account()];
      const e = await otp().beginEnrolment(a, 'a', 'mobile', { proof: 'first_factor' });
      const code = () => oathtool(e.secretBase32, w.clock.now());
      await assert.rejects(
        otp().confirmEnrolment(b, e.tokenId, code(), { proof: 'first_factor' }),
        { code: 'otp.enrolment_invalid' },
        'another account',
      );
      for (const id of [randomUUID(), "' OR 1=1 --", '', 42 as unknown as string]) {
        await assert.rejects(
          otp().confirmEnrolment(a, id, '123456', { proof: 'first_factor' }),
          { code: 'otp.enrolment_invalid' },
          String(id),
        );
      }
      assert.equal(
        await otp().pendingEnrolment(b, e.tokenId, 'b'),
        undefined,
        'the QR is not shown to another account',
      );
      assert.equal(
        (await otp().pendingEnrolment(a, e.tokenId, 'a'))?.secretBase32,
        e.secretBase32,
        'shown again while it waits',
      );
      w.clock.advance(10 * 60_000);
      await assert.rejects(
        otp().confirmEnrolment(a, e.tokenId, code(), { proof: 'first_factor' }),
        { code: 'otp.enrolment_invalid' },
        'expired after 10 minutes',
      );
      assert.equal(await otp().pendingEnrolment(a, e.tokenId, 'a'), undefined);

      const used = await otp().beginEnrolment(a, 'a', 'mobile', { proof: 'first_factor' });
      await otp().confirmEnrolment(a, used.tokenId, oathtool(used.secretBase32, w.clock.now()), {
        proof: 'first_factor',
      });
      w.clock.advance(30_000);
      await assert.rejects(
        otp().confirmEnrolment(a, used.tokenId, oathtool(used.secretBase32, w.clock.now()), { proof: 'first_factor' }),
        { code: 'otp.enrolment_invalid' },
        'single use',
      );
      assert.equal(
        await otp().pendingEnrolment(a, used.tokenId, 'a'),
        undefined,
        'the seed is never retrievable after activation (T18)',
      );
      assert.ok(!JSON.stringify(await otp().list(a)).includes(used.secretBase32));
    });

    it('honours a configured enrolment lifetime and gives up after too many wrong first codes (T18)', async () => {
      const quick = w.withPolicy({ enrolmentTtlSeconds: 60, enrolmentMaxAttempts: 3 });
      const id = await w.account();
      const e = await quick.beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' });
      assert.equal(e.expiresAt, w.clock.now() + 60_000);
      const right = oathtool(e.secretBase32, w.clock.now());
      for (let i = 0; i < 3; i++)
        await assert.rejects(quick.confirmEnrolment(id, e.tokenId, wrongFor(right), { proof: 'first_factor' }), {
          code: 'otp.wrong_code',
        });
      await assert.rejects(
        quick.confirmEnrolment(id, e.tokenId, right, { proof: 'first_factor' }),
        { code: 'otp.enrolment_invalid' },
        'even the right code, once spent',
      );
      const late = await quick.beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' });
      w.clock.advance(61_000);
      await assert.rejects(
        quick.confirmEnrolment(id, late.tokenId, oathtool(late.secretBase32, w.clock.now()), { proof: 'first_factor' }),
        { code: 'otp.enrolment_invalid' },
      );
    });

    it('compares no more first codes than allowed among 20 parallel wrong ones (T45)', async () => {
      const quick = w.withPolicy({ enrolmentMaxAttempts: 3 });
      const id = await w.account();
      const e = await quick.beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' });
      const wrong = wrongFor(oathtool(e.secretBase32, w.clock.now()));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => quick.confirmEnrolment(id, e.tokenId, wrong, { proof: 'first_factor' })),
      );
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'accepted'));
      assert.equal(codes.filter((c) => c === 'otp.wrong_code').length, 3, 'exactly the allowed attempts were compared');
      assert.equal(codes.filter((c) => c === 'otp.enrolment_invalid').length, 17);
    });

    it('refuses types and inputs it cannot enrol', async () => {
      const id = await w.account();
      for (const type of ['hardware', 'sms', '__proto__', 'constructor']) {
        await assert.rejects(
          otp().beginEnrolment(id, 'a', type as 'mobile', { proof: 'first_factor' }),
          { code: 'otp.enrolment_invalid' },
          type,
        );
      }
      for (const deviceSerial of [undefined, '', '   ', 'x'.repeat(65), 'PF2 ABC', 'PF2\u0000']) {
        await assert.rejects(
          otp().beginEnrolment(id, 'a', 'desktop', { deviceSerial, proof: 'first_factor' }),
          { code: 'otp.enrolment_invalid' },
          JSON.stringify(deviceSerial),
        );
      }
      await assert.rejects(otp().beginEnrolment('', 'a', 'mobile', { proof: 'first_factor' }), {
        code: 'otp.enrolment_invalid',
      });
      const e = await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' });
      for (const bad of ['12345', '١٢٣٤٥٦', 'abcdef', null])
        await assert.rejects(otp().confirmEnrolment(id, e.tokenId, bad, { proof: 'first_factor' }), {
          code: 'otp.malformed',
        });
    });

    it('binds a desktop token to the device serial: the seed alone on another device does not work', async () => {
      const id = await w.account();
      const e = await otp().beginEnrolment(id, 'jsmith', 'desktop', {
        deviceSerial: 'PF2ABCDE',
        proof: 'first_factor',
      });
      const seed = base32Decode(e.secretBase32);
      const at = (secret: Buffer) => totp(secret, w.clock.now(), { algorithm: 'SHA1', digits: 6, periodSeconds: 30 });
      await assert.rejects(otp().confirmEnrolment(id, e.tokenId, at(seed), { proof: 'first_factor' }), {
        code: 'otp.wrong_code',
      });
      await assert.rejects(
        otp().confirmEnrolment(id, e.tokenId, at(bindToDevice(seed, 'PF2ABCDF')), { proof: 'first_factor' }),
        { code: 'otp.wrong_code' },
      );
      assert.equal(
        await otp().pendingEnrolment(id, e.tokenId, 'jsmith'),
        undefined,
        'the bound secret is not the seed, so no QR is re-shown',
      );
      assert.equal(
        (await otp().confirmEnrolment(id, e.tokenId, at(bindToDevice(seed, ' pf2abcde ')), { proof: 'first_factor' }))
          .token.type,
        'desktop',
      );
    });

    it('keeps the secret sealed at rest, bound to its token id', async () => {
      const id = await w.account();
      const e = await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' });
      const rows = await w.nodes[0].db
        .selectFrom('otp_tokens')
        .select(['id', 'secret_sealed'])
        .where('account_id', '=', id)
        .execute();
      const hex = base32Decode(e.secretBase32).toString('hex');
      assert.ok(
        !JSON.stringify(rows).includes(hex) &&
          !JSON.stringify(rows).includes(base32Decode(e.secretBase32).toString('base64')),
      );
      // A sealed secret copied onto another token's row does not open there: that token fails closed.
      const victim = await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' });
      await w.nodes[0].db
        .updateTable('otp_tokens')
        .set({ secret_sealed: rows[0].secret_sealed })
        .where('id', '=', victim.tokenId)
        .execute();
      await assert.rejects(
        otp().confirmEnrolment(id, victim.tokenId, oathtool(e.secretBase32, w.clock.now()), { proof: 'first_factor' }),
        { code: 'store.unseal_failed' },
      );
    });

    it('leaves exactly one software token active when two enrolments are confirmed at once on two nodes', async () => {
      const id = await w.account();
      const [a, b] = [
        await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'second_factor' }),
        await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'second_factor' }),
      ];
      const results = await Promise.allSettled([
        w.otp(0).confirmEnrolment(id, a.tokenId, oathtool(a.secretBase32, w.clock.now()), { proof: 'second_factor' }),
        w.otp(1).confirmEnrolment(id, b.tokenId, oathtool(b.secretBase32, w.clock.now()), { proof: 'second_factor' }),
      ]);
      assert.ok(results.some((r) => r.status === 'fulfilled'));
      assert.equal((await otp().list(id)).filter((t) => t.state === 'active').length, 1);
    });

    it('lets the password alone register a first token only: a token held (active or locked) needs a code from it (T44)', async () => {
      const phone = await w.enrolled();
      const id = phone.accountId;
      await assert.rejects(otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' }), {
        code: 'otp.second_factor_required',
      });
      assert.equal(w.events.at(-1)?.outcome, 'second_factor_required', 'the refusal is audited');
      // Begun while the person had no token, confirmed after they registered theirs: refused where it activates.
      const other = await w.account();
      const early = await otp().beginEnrolment(other, 'a', 'mobile', { proof: 'first_factor' });
      const theirs = await w.enrolled(other);
      await assert.rejects(
        otp().confirmEnrolment(other, early.tokenId, oathtool(early.secretBase32, w.clock.now()), {
          proof: 'first_factor',
        }),
        { code: 'otp.second_factor_required' },
      );
      assert.deepEqual(
        (await otp().list(other)).filter((t) => t.state === 'active').map((t) => t.serial),
        [theirs.serial],
        'their own token still works',
      );
      // A locked token is still theirs: registering around the lock needs the helpdesk or the registration flow.
      await w.nodes[0].db.updateTable('otp_tokens').set({ state: 'locked' }).where('id', '=', phone.tokenId).execute();
      await assert.rejects(otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' }), {
        code: 'otp.second_factor_required',
      });
      const replaced = await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'second_factor' });
      assert.equal(
        (
          await otp().confirmEnrolment(id, replaced.tokenId, oathtool(replaced.secretBase32, w.clock.now()), {
            proof: 'second_factor',
          })
        ).revoked[0].serial,
        phone.serial,
      );
    });

    it('of two first registrations confirmed at once, activates one and refuses the other', async () => {
      const id = await w.account();
      const [a, b] = [
        await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' }),
        await otp().beginEnrolment(id, 'a', 'mobile', { proof: 'first_factor' }),
      ];
      // Two nodes on PostgreSQL; SQLite has one node, whose single connection takes the transactions in turn.
      const second = dialect === 'postgres' ? w.otp(1) : w.otp(0);
      const results = await Promise.allSettled([
        w.otp(0).confirmEnrolment(id, a.tokenId, oathtool(a.secretBase32, w.clock.now()), { proof: 'first_factor' }),
        second.confirmEnrolment(id, b.tokenId, oathtool(b.secretBase32, w.clock.now()), { proof: 'first_factor' }),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected').map((r) => (r.reason as { code: string }).code),
        ['otp.second_factor_required'],
      );
      assert.equal((await otp().list(id)).filter((t) => t.state === 'active').length, 1);
    });
  });
}
