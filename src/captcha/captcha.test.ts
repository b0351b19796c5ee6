// The reset captcha on both databases: solved in Node with altcha-lib's own solver, then every way it can be
// refused, each with its typed code, and one solution used twice at the same moment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { solveChallenge } from 'altcha-lib/v1';
import { manualClock } from '../clock/index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import { createCaptcha, createSqlSpentSolutions, type Captcha, type CaptchaChallenge } from './index.ts';

const hmacKey = 'test-hmac-key-0123456789abcdef';
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

async function solved(challenge: CaptchaChallenge): Promise<{ payload: string; fields: Record<string, unknown> }> {
  const solution = await solveChallenge(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber)
    .promise;
  assert.ok(solution, 'the challenge has a solution');
  const fields = {
    algorithm: challenge.algorithm,
    challenge: challenge.challenge,
    number: solution.number,
    salt: challenge.salt,
    signature: challenge.signature,
  };
  return { payload: encode(fields), fields };
}

for (const dialect of await testDialects()) {
  describe(`reset captcha on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    const spent = () => createSqlSpentSolutions(fixture.store.db);
    const make = (clock = manualClock(Date.now())): { captcha: Captcha; clock: typeof clock } => ({
      clock,
      captcha: createCaptcha({ hmacKey, spent: spent(), clock, maxNumber: 2000, expiresSeconds: 600 }),
    });

    it('accepts a solved challenge once, and refuses it again as replayed (from another node too)', async () => {
      const { captcha, clock } = make();
      const challenge = await captcha.challenge();
      assert.equal(challenge.algorithm, 'SHA-256');
      const { payload } = await solved(challenge);
      await captcha.verify(payload);
      await assert.rejects(captcha.verify(payload), { code: 'captcha.replayed' });
      const otherNode = createCaptcha({ hmacKey, spent: spent(), clock });
      await assert.rejects(otherNode.verify(payload), { code: 'captcha.replayed' });
    });

    it('accepts exactly one of 20 simultaneous uses of one solution', async () => {
      const { captcha } = make();
      const { payload } = await solved(await captcha.challenge());
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => captcha.verify(payload)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(
        results.every((r) => r.status === 'fulfilled' || (r.reason as { code?: string }).code === 'captcha.replayed'),
      );
    });

    it('refuses a solution after its challenge expired, by the server clock, also once purge() forgot it', async () => {
      const { captcha, clock } = make();
      const [late, spent] = [await solved(await captcha.challenge()), await solved(await captcha.challenge())];
      await captcha.verify(spent.payload);
      clock.advance(600_000);
      await assert.rejects(captcha.verify(late.payload), { code: 'captcha.expired' });
      await captcha.purge();
      const rows = await fixture.store.db.selectFrom('captcha_spent').select('expires_at').execute();
      assert.ok(
        rows.every((r) => Number(r.expires_at) > clock.now()),
        'spent rows of expired challenges are gone',
      );
      await assert.rejects(captcha.verify(spent.payload), { code: 'captcha.expired' });
    });

    it('refuses a wrong number, a tampered payload, a forged signature, another algorithm and a key not ours', async () => {
      const { captcha, clock } = make();
      const { fields } = await solved(await captcha.challenge());
      await assert.rejects(captcha.verify(encode({ ...fields, number: (fields.number as number) + 1 })), {
        code: 'captcha.invalid',
      });
      // A later expiry written into the salt breaks the signature.
      const longer = String(fields.salt).replace(/expires=\d+/, 'expires=9999999999');
      await assert.rejects(captcha.verify(encode({ ...fields, salt: longer })), { code: 'captcha.invalid' });
      await assert.rejects(captcha.verify(encode({ ...fields, signature: 'f'.repeat(64) })), {
        code: 'captcha.invalid',
      });
      await assert.rejects(captcha.verify(encode({ ...fields, algorithm: 'SHA-1' })), { code: 'captcha.invalid' });
      const foreignKey = 'someone-elses-key-0123456789';
      const foreign = createCaptcha({ hmacKey: foreignKey, spent: spent(), clock, maxNumber: 2000 });
      await assert.rejects(foreign.verify(encode(fields)), { code: 'captcha.invalid' });
      // The original is untouched by all of the above: refused attempts spend nothing.
      await captcha.verify(encode(fields));
    });

    it('tells a missing answer from garbage, and refuses oversized input before any work', async () => {
      const { captcha } = make();
      for (const missing of [undefined, null, '', '   '])
        await assert.rejects(captcha.verify(missing), { code: 'captcha.missing' }, String(missing));
      const garbage: unknown[] = [
        42,
        {},
        ['x'],
        'not base64 at all!',
        '%%%%',
        encode('just a string'),
        encode(null),
        encode([1, 2]),
        Buffer.from('{not json').toString('base64'),
        encode({ algorithm: 'SHA-256' }),
        encode({ algorithm: 'SHA-256', challenge: 'x', number: -1, salt: 's', signature: 'y' }),
        'A'.repeat(100_000),
        encode({
          algorithm: 'SHA-256',
          challenge: 'a'.repeat(64),
          number: 1,
          salt: 'x'.repeat(5000),
          signature: 'b'.repeat(64),
        }),
      ];
      for (const g of garbage)
        await assert.rejects(captcha.verify(g), { code: 'captcha.invalid' }, String(g).slice(0, 30));
      const rows = await fixture.store.db.selectFrom('captcha_spent').select('signature').execute();
      assert.ok(
        rows.every((r) => /^[0-9a-f]{64}$/.test(r.signature)),
        'nothing odd reached the table',
      );
    });

    it('refuses settings that cannot work when the server starts', () => {
      const clock = manualClock();
      const misconfigured = { code: 'captcha.misconfigured' };
      assert.throws(() => createCaptcha({ hmacKey: 'short', spent: spent(), clock }), misconfigured);
      assert.throws(() => createCaptcha({ hmacKey, spent: spent(), clock, maxNumber: 0 }), misconfigured);
      assert.throws(() => createCaptcha({ hmacKey, spent: spent(), clock, expiresSeconds: -5 }), misconfigured);
    });
  });
}
