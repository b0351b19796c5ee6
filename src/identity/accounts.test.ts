import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { manualClock, cryptoRandom } from '../clock/index.ts';
import { createAccountService, createPasswordHasher, createSqlIdentityStore, type AccountService } from './index.ts';
import { isBreachedPassword } from './breached.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

interface SentMail {
  templateId: string;
  to: string;
  params: Record<string, string | number>;
}

for (const dialect of await testDialects()) {
  describe(`customer accounts on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    let accounts: AccountService;
    const sent: SentMail[] = [];
    const clock = manualClock(Date.UTC(2026, 10, 23));
    const lastMail = (to: string) => sent.filter((m) => m.to === to).at(-1)!;
    const tokenOf = (mail: SentMail) => new URL(String(mail.params.link)).searchParams.get('token')!;

    before(async () => {
      accounts = createAccountService({
        store: createSqlIdentityStore(fixture.store.db),
        hasher: await createPasswordHasher(),
        policy: { minLength: 15, minLengthWithSecondFactor: 8, maxLength: 1024, isBreached: isBreachedPassword },
        sendMail: async (templateId, to, params) => {
          sent.push({ templateId, to, params });
        },
        links: {
          verifyEmail: (t) => `https://id.example.com/verify-email?token=${t}`,
          signIn: () => 'https://id.example.com/',
          resetPassword: () => 'https://id.example.com/reset-password',
        },
        clock,
        random: cryptoRandom,
        codePepper: randomBytes(32),
        verificationTtlSeconds: 3600,
        verificationMaxAttempts: 5,
      });
    });

    it('signs up, mails a 6-digit code and a link, and confirms with the code', async () => {
      const pending = await accounts.signUp({ email: ' Ana@Example.COM ', password: 'a long enough phrase' });
      assert.equal(pending.email, 'ana@example.com');
      const mail = lastMail('ana@example.com');
      assert.equal(mail.templateId, 'account.verify_email');
      assert.match(String(mail.params.code), /^[0-9]{6}$/);
      await assert.rejects(accounts.authenticate('ana@example.com', 'wrong password'), {
        code: 'identity.invalid_credentials',
      });
      const unconfirmed = await accounts.authenticate('ANA@example.com', 'a long enough phrase');
      assert.equal(unconfirmed.emailVerified, false);
      const account = await accounts.confirmByCode(pending.verificationId, String(mail.params.code));
      assert.equal(account.emailVerified, true);
      // Single use: the same code again is refused.
      await assert.rejects(accounts.confirmByCode(pending.verificationId, String(mail.params.code)), {
        code: 'identity.verification_invalid',
      });
    });

    it('answers sign-up with a taken address like a new one and mails the owner a notice (T5)', async () => {
      const before = await fixture.store.db.selectFrom('accounts').select('id').execute();
      const pending = await accounts.signUp({ email: 'ana@example.com', password: 'another long phrase' });
      assert.equal(pending.email, 'ana@example.com');
      assert.match(pending.verificationId, /^[0-9a-f-]{36}$/);
      assert.equal(lastMail('ana@example.com').templateId, 'account.already_registered');
      assert.equal((await fixture.store.db.selectFrom('accounts').select('id').execute()).length, before.length);
      // The decoy answers as a real confirmation does (T46): a wrong code, then spent after five; it never confirms.
      for (let i = 0; i < 5; i++)
        await assert.rejects(accounts.confirmByCode(pending.verificationId, '123456'), { code: 'identity.wrong_code' });
      await assert.rejects(accounts.confirmByCode(pending.verificationId, '123456'), {
        code: 'identity.verification_invalid',
      });
      const resent = await accounts.resendVerification(pending.verificationId);
      assert.equal(resent?.email, 'ana@example.com', 'a new "code" goes out as for a new address');
      assert.equal(
        lastMail('ana@example.com').templateId,
        'account.already_registered',
        'to the owner, who gets no code',
      );
      // The original password still works: nothing was overwritten.
      assert.ok(await accounts.authenticate('ana@example.com', 'a long enough phrase'));
    });

    it('never confirms through a decoy, not even with the code it was made with', async () => {
      // A random source whose codes are known: the decoy's code is 424242 like every other.
      const known = { bytes: cryptoRandom.bytes, int: () => 424242 };
      const predictable = createAccountService({
        store: createSqlIdentityStore(fixture.store.db),
        hasher: await createPasswordHasher(),
        policy: { minLength: 15, minLengthWithSecondFactor: 8, maxLength: 1024, isBreached: isBreachedPassword },
        sendMail: async () => {},
        links: { verifyEmail: (t) => t, signIn: () => '', resetPassword: () => '' },
        clock,
        random: known,
        codePepper: randomBytes(32),
        verificationTtlSeconds: 3600,
        verificationMaxAttempts: 5,
      });
      await predictable.signUp({ email: 'owner@example.com', password: 'the owner passphrase' });
      const decoy = await predictable.signUp({ email: 'owner@example.com', password: 'a guesser passphrase' });
      await assert.rejects(predictable.confirmByCode(decoy.verificationId, '424242'), { code: 'identity.wrong_code' });
      const owner = await fixture.store.db
        .selectFrom('accounts')
        .select('email_verified')
        .where('email', '=', 'owner@example.com')
        .executeTakeFirstOrThrow();
      assert.equal(owner.email_verified, 0, 'the taken account was not confirmed by anyone but its owner');
    });

    it('counts guesses per account across its codes and limits its verification mail, when a throttle is given (T45)', async () => {
      const counts = new Map<string, number>();
      const limits = { code_guess: 7, verification_mail: 3 };
      const throttled = createAccountService({
        store: createSqlIdentityStore(fixture.store.db),
        hasher: await createPasswordHasher(),
        policy: { minLength: 15, minLengthWithSecondFactor: 8, maxLength: 1024, isBreached: isBreachedPassword },
        sendMail: async (templateId, to, params) => {
          sent.push({ templateId, to, params });
        },
        links: {
          verifyEmail: (t) => `https://id.example.com/verify-email?token=${t}`,
          signIn: () => '',
          resetPassword: () => '',
        },
        clock,
        random: cryptoRandom,
        codePepper: randomBytes(32),
        verificationTtlSeconds: 3600,
        verificationMaxAttempts: 5,
        async throttle(kind, accountId) {
          const key = `${kind}:${accountId}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return counts.get(key)! > limits[kind] ? 60 : 0;
        },
      });
      const first = await throttled.signUp({ email: 'ivy@example.com', password: 'ivy has a passphrase' });
      const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
      for (let i = 0; i < 5; i++)
        await assert.rejects(
          throttled.confirmByCode(first.verificationId, wrong(String(lastMail('ivy@example.com').params.code))),
          { code: 'identity.wrong_code' },
        );
      const second = await throttled.resendVerification(first.verificationId);
      const code = String(lastMail('ivy@example.com').params.code);
      await assert.rejects(throttled.confirmByCode(second!.verificationId, wrong(code)), {
        code: 'identity.wrong_code',
      });
      await assert.rejects(throttled.confirmByCode(second!.verificationId, wrong(code)), {
        code: 'identity.wrong_code',
      });
      await assert.rejects(
        throttled.confirmByCode(second!.verificationId, code),
        { code: 'identity.too_many_attempts', retryAfterSeconds: 60 },
        'the new code brought no fresh guesses',
      );
      await throttled.resendVerification(second!.verificationId);
      const mails = sent.filter((m) => m.to === 'ivy@example.com').length;
      await assert.rejects(throttled.resendVerification(second!.verificationId), {
        code: 'identity.too_many_attempts',
      });
      assert.equal(sent.filter((m) => m.to === 'ivy@example.com').length, mails, 'no mail past the limit');
    });

    it('confirms by link once; a reused, tampered or expired link is refused', async () => {
      await accounts.signUp({ email: 'ben@example.com', password: 'ben has a passphrase' });
      const token = tokenOf(lastMail('ben@example.com'));
      await assert.rejects(accounts.confirmByToken(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), {
        code: 'identity.verification_invalid',
      });
      const { account } = await accounts.confirmByToken(token);
      assert.equal(account.emailVerified, true);
      await assert.rejects(accounts.confirmByToken(token), { code: 'identity.verification_invalid' });

      await accounts.signUp({ email: 'cleo@example.com', password: 'cleo has a passphrase' });
      const late = tokenOf(lastMail('cleo@example.com'));
      clock.advance(3601 * 1000);
      await assert.rejects(accounts.confirmByToken(late), { code: 'identity.verification_invalid' });
    });

    it('lets exactly one of two simultaneous confirmations win (T15)', async () => {
      await accounts.signUp({ email: 'dan@example.com', password: 'dan has a passphrase' });
      const token = tokenOf(lastMail('dan@example.com'));
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => accounts.confirmByToken(token)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('spends a verification after five wrong codes, and a resent code replaces the old one', async () => {
      const pending = await accounts.signUp({ email: 'eve@example.com', password: 'eve has a passphrase' });
      const code = String(lastMail('eve@example.com').params.code);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++)
        await assert.rejects(accounts.confirmByCode(pending.verificationId, wrong), { code: 'identity.wrong_code' });
      await assert.rejects(accounts.confirmByCode(pending.verificationId, code), {
        code: 'identity.verification_invalid',
      });
      const resent = await accounts.resendVerification(pending.verificationId);
      assert.ok(resent);
      const fresh = lastMail('eve@example.com');
      await assert.rejects(accounts.confirmByCode(pending.verificationId, String(fresh.params.code)), {
        code: 'identity.verification_invalid',
      });
      assert.equal(
        (await accounts.confirmByCode(resent.verificationId, String(fresh.params.code))).email,
        'eve@example.com',
      );
    });

    it('refuses malformed codes before touching the flow', async () => {
      const pending = await accounts.signUp({ email: 'fay@example.com', password: 'fay has a passphrase' });
      for (const bad of ['12345', '1234567', 'abcdef', '١٢٣٤٥٦', '12 456', '', undefined]) {
        await assert.rejects(accounts.confirmByCode(pending.verificationId, bad), { code: 'identity.wrong_code' });
      }
      const code = String(lastMail('fay@example.com').params.code);
      assert.ok(
        await accounts.confirmByCode(pending.verificationId, code),
        'malformed codes did not count as attempts',
      );
    });

    it('applies the password policy: length, breached list, not the e-mail, no composition rules', async () => {
      const attempt = (password: unknown, email = 'gus@example.com') => accounts.signUp({ email, password });
      await assert.rejects(attempt('short7!'), { code: 'identity.password_too_short' });
      await assert.rejects(attempt('fourteen chars'), { code: 'identity.password_too_short' });
      await assert.rejects(attempt('passwordpassword'), { code: 'identity.password_breached' });
      await assert.rejects(attempt('1qaz2wsx3edc4rfv'), { code: 'identity.password_breached' });
      await assert.rejects(attempt('gus@example.com'), { code: 'identity.password_equals_email' });
      await assert.rejects(attempt('x'.repeat(1025)), { code: 'identity.password_too_long' });
      await assert.rejects(attempt({ not: 'a string' }), { code: 'identity.password_too_short' });
      // Only lower-case letters, or a long Unicode passphrase: both fine (ASVS V6.2.5, V6.2.9).
      assert.ok(await attempt('onlylowercaseletters'));
      const passphrase = 'Ünïcödé pässphräsé 🦊 '.repeat(6);
      const pending = await accounts.signUp({ email: 'hal@example.com', password: passphrase });
      const hal = await accounts.confirmByCode(pending.verificationId, String(lastMail('hal@example.com').params.code));
      assert.ok(await accounts.authenticate(hal.email, passphrase));
      // No truncation: a password sharing the first 72 bytes is a different password (T2).
      await assert.rejects(accounts.authenticate(hal.email, `${passphrase.slice(0, 72)}x`), {
        code: 'identity.invalid_credentials',
      });
    });

    it('refuses invalid and hostile addresses with a clear code', async () => {
      for (const email of [
        '',
        'no-at-sign',
        'a@b',
        'two@@example.com',
        '<script>@example.com',
        'a b@example.com',
        `${'x'.repeat(250)}@example.com`,
        "x'; DROP TABLE accounts;--",
        'a..b@example.com',
        '.a@example.com',
        'a.@example.com',
        'a@-x.example.com',
        'a@x-.example.com',
        'a@x..example.com',
        `${'x'.repeat(65)}@example.com`,
      ]) {
        await assert.rejects(
          accounts.signUp({ email, password: 'a long enough phrase' }),
          { code: 'identity.invalid_email' },
          email,
        );
      }
    });
  });
}
