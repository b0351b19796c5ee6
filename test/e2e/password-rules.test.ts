// The password rules as a person meets them over HTTP: 15 characters where the password is the only factor and 8
// with an OTP token (NIST SP 800-63B rev 4), Unicode normalisation (NFC) on every path that hashes or checks a
// password, old hashes of another form upgraded, long Unicode passphrases kept whole, and "too long" said as such.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, solvedCaptcha, type RunningTessera } from '../support/tessera.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { argon2Options, createSqlIdentityStore } from '../../src/identity/index.ts';

type Agent = ReturnType<typeof createAgent>;

// "Crème brûlée au café": composed (NFC, most keyboards) and decomposed (NFD, as macOS and some phones send it).
const nfc = 'Crème brûlée au café'.normalize('NFC');
const nfd = nfc.normalize('NFD');

for (const dialect of await testDialects()) {
  describe(`password rules over HTTP on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, { accounts: { captchaMaxNumber: 5000 } });
    });
    after(() => tessera.stop());

    const address = (name: string) => `${name}-${dialect}@example.com`;
    const hashOf = async (email: string) =>
      (
        await tessera.store.db
          .selectFrom('accounts')
          .select('password_hash')
          .where('email', '=', email)
          .executeTakeFirst()
      )?.password_hash;
    const accountId = async (email: string) =>
      (await tessera.store.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow())
        .id;

    async function mailTo(email: string, subject: RegExp, after: string[] = []): Promise<{ id: string; text: string }> {
      for (let i = 0; i < 200; i++) {
        const mail = (await tessera.outbox.recent({ to: email })).find(
          (m) => subject.test(m.subject) && !after.includes(m.id),
        );
        if (mail) return mail;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no mail "${subject}" to ${email}`);
    }

    /** The sign-up or sign-in page of the account site, reached as a browser does (authorization request → interaction). */
    async function openInteraction(agent: Agent, path: '/account/signup' | '/account/login') {
      const { response, url } = await agent.follow(`${tessera.url}${path}`, tessera.url);
      assert.match(url, /\/interaction\/[\w-]+$/);
      return { url, body: await response.text() };
    }

    async function signUp(email: string, password: string) {
      const agent = createAgent();
      const form = await openInteraction(agent, '/account/signup');
      const response = await agent.postForm(`${form.url}/signup`, {
        csrf: hiddenField(form.body, 'csrf'),
        email,
        password,
      });
      return { agent, form, response, body: await response.text() };
    }

    async function signUpAndConfirm(email: string, password: string) {
      const done = await signUp(email, password);
      assert.equal(done.response.status, 200, 'the confirmation page');
      const code = (await mailTo(email, /Confirm/)).text.match(/code is (\d{6})/)![1];
      const confirmed = await done.agent.postForm(`${done.form.url}/verify`, {
        csrf: hiddenField(done.body, 'csrf'),
        verification: hiddenField(done.body, 'verification'),
        code,
      });
      assert.equal(confirmed.status, 303, 'confirmed and signed in');
    }

    /** Signs in at the account site; on success, the account page and the agent holding its session. */
    async function signIn(
      email: string,
      password: string,
      otpKey?: string,
    ): Promise<{ status: number; agent: Agent; page: string }> {
      const agent = createAgent();
      const form = await openInteraction(agent, '/account/login');
      const login = await agent.postForm(`${form.url}/login`, {
        csrf: hiddenField(form.body, 'csrf'),
        email,
        password,
      });
      if (login.status !== 303) return { status: login.status, agent, page: await login.text() };
      let landed = await agent.follow(new URL(login.headers.get('location')!, form.url).toString(), tessera.url);
      let page = await landed.response.text();
      if (otpKey && /\/interaction\/[\w-]+$/.test(landed.url) && page.includes('/otp"')) {
        // The account site may ask an account with a token for its code.
        const otp = await agent.postForm(`${landed.url}/otp`, {
          csrf: hiddenField(page, 'csrf'),
          code: oathtool(otpKey),
        });
        landed = await agent.follow(new URL(otp.headers.get('location')!, landed.url).toString(), tessera.url);
        page = await landed.response.text();
      }
      assert.equal(new URL(landed.url).pathname, '/account', `signed in at the account page (${landed.url})`);
      return { status: login.status, agent, page };
    }

    async function changePassword(agent: Agent, accountPage: string, current: string, next: string) {
      const response = await agent.postForm(`${tessera.url}/account/password`, {
        csrf: hiddenField(accountPage, 'csrf'),
        current_password: current,
        new_password: next,
      });
      return { status: response.status, body: await response.text() };
    }

    /** Asks for a reset link as a script would (solving the proof of work) and opens it: the new-password form. */
    async function openResetLink(email: string) {
      const agent = createAgent();
      const before = (await tessera.outbox.recent({ to: email })).map((m) => m.id);
      const page = await (await agent.request(`${tessera.url}/reset-password`)).text();
      const captcha = await solvedCaptcha(page);
      const asked = await agent.postForm(`${tessera.url}/reset-password`, {
        csrf: hiddenField(page, 'csrf'),
        email,
        captcha,
      });
      assert.equal(asked.status, 200);
      const link = (await mailTo(email, /Reset/, before)).text.match(
        /https?:\/\/\S+\/reset-password\/new\?token=[\w-]+/,
      )![0];
      const form = await (await agent.request(link)).text();
      const submit = async (password: string) => {
        const response = await agent.postForm(`${tessera.url}/reset-password/new`, {
          csrf: hiddenField(form, 'csrf'),
          token: hiddenField(form, 'token'),
          password,
        });
        return { status: response.status, body: await response.text() };
      };
      return { form, submit };
    }

    it('T1: sign-up refuses 14 characters with the length message and the form kept, and accepts 15', async () => {
      const page = await openInteraction(createAgent(), '/account/signup');
      assert.match(page.body, /At least 15 characters/, 'the sign-up page says the minimum');

      const email = address('t1-signup');
      const short = await signUp(email, 'fourteen chars');
      assert.equal(short.response.status, 400);
      assert.match(short.body, /Use at least 15 characters\./);
      assert.match(short.body, new RegExp(`name="email" type="email" value="${email}"`), 'the form keeps the address');
      assert.equal(await hashOf(email), undefined, 'nothing stored');

      const enough = await signUp(email, 'fifteen chars!!');
      assert.equal(enough.response.status, 200);
      assert.match(enough.body, /name="verification"/, 'on to the confirmation page');
      assert.ok(await hashOf(email));
    });

    it('T1: a staff account with an active OTP token may change its password to 8–14 characters; one without a token may not', async () => {
      const withToken = address('t1-staff-token');
      const staff = await tessera.accounts.createByOperator({
        email: withToken,
        password: 'staff passphrase one',
        workforce: true,
      });
      const key = await enrolMobileToken(tessera, staff.id, withToken);
      const signedIn = await signIn(withToken, 'staff passphrase one', key);
      const seven = await changePassword(signedIn.agent, signedIn.page, 'staff passphrase one', 'oak tre');
      assert.equal(seven.status, 400);
      assert.match(seven.body, /Use at least 8 characters\./);
      const eight = await changePassword(signedIn.agent, signedIn.page, 'staff passphrase one', 'oak tree');
      assert.equal(eight.status, 200, 'eight characters with a second factor');
      assert.match(eight.body, /Your password is changed/);
      assert.ok(await tessera.accounts.authenticate(withToken, 'oak tree'));
      const fourteen = await changePassword(signedIn.agent, signedIn.page, 'oak tree', 'fourteen chars');
      assert.equal(fourteen.status, 200, 'fourteen characters with a second factor');
      assert.ok(await tessera.accounts.authenticate(withToken, 'fourteen chars'));

      const withoutToken = address('t1-staff-plain');
      await tessera.accounts.createByOperator({
        email: withoutToken,
        password: 'staff passphrase two',
        workforce: true,
      });
      const plain = await signIn(withoutToken, 'staff passphrase two');
      for (const next of ['oak tree', 'fourteen chars']) {
        const refused = await changePassword(plain.agent, plain.page, 'staff passphrase two', next);
        assert.equal(refused.status, 400, next);
        assert.match(refused.body, /Use at least 15 characters\./);
        await assert.rejects(tessera.accounts.authenticate(withoutToken, next), {
          code: 'identity.invalid_credentials',
        });
      }
      assert.ok(
        await tessera.accounts.authenticate(withoutToken, 'staff passphrase two'),
        'the old password still works',
      );
    });

    it('T1: the change-password and reset forms show the minimum that applies, and reset follows it', async () => {
      const plain = address('t1-reset-plain');
      await tessera.accounts.createByOperator({ email: plain, password: 'customer passphrase one' });
      assert.match((await signIn(plain, 'customer passphrase one')).page, /At least 15 characters/);
      const plainReset = await openResetLink(plain);
      assert.match(plainReset.form, /At least 15 characters/);
      const refused = await plainReset.submit('fourteen chars');
      assert.equal(refused.status, 400);
      assert.match(refused.body, /Use at least 15 characters\./);
      assert.match(refused.body, /At least 15 characters/, 'the form is shown again with its hint');

      const secured = address('t1-reset-token');
      const customer = await tessera.accounts.createByOperator({ email: secured, password: 'customer passphrase two' });
      const key = await enrolMobileToken(tessera, customer.id, secured);
      assert.match((await signIn(secured, 'customer passphrase two', key)).page, /At least 8 characters/);
      const securedReset = await openResetLink(secured);
      assert.match(securedReset.form, /At least 8 characters/);
      assert.equal((await securedReset.submit('oak tree')).status, 200);
      assert.ok(await tessera.accounts.authenticate(secured, 'oak tree'));
    });

    it('T50: an account whose password was set in NFC signs in with the NFD form, and the reverse, on every path', async () => {
      // Set in NFC by the operator, typed in NFD at sign-in.
      const operatorMade = address('t50-operator');
      await tessera.accounts.createByOperator({ email: operatorMade, password: nfc });
      assert.equal((await signIn(operatorMade, nfd)).status, 303);

      // Set in NFD at sign-up, typed in NFC at sign-in.
      const signedUp = address('t50-signup');
      await signUpAndConfirm(signedUp, nfd);
      const session = await signIn(signedUp, nfc);
      assert.equal(session.status, 303);
      assert.equal(await argon2.verify((await hashOf(signedUp))!, nfc), true, 'the NFC form was hashed');

      // The account page's checks take either form; a new password set in NFD works typed in NFC.
      const changed = await changePassword(session.agent, session.page, nfd, `${nfd} et thé`);
      assert.equal(changed.status, 200);
      assert.equal((await signIn(signedUp, `${nfc} et thé`)).status, 303);
      const emailChange = await session.agent.postForm(`${tessera.url}/account/email`, {
        csrf: hiddenField(session.page, 'csrf'),
        new_email: address('t50-new'),
        email_current_password: `${nfd} et thé`,
      });
      assert.equal(emailChange.status, 200);
      assert.match(await emailChange.text(), /We sent a confirmation link/);

      // Reset in NFD, sign in with NFC.
      const reset = await openResetLink(operatorMade);
      assert.equal((await reset.submit(`${nfd} au lait`)).status, 200);
      assert.equal((await signIn(operatorMade, `${nfc} au lait`)).status, 303);
      const wrong = await signIn(operatorMade, nfc);
      assert.equal(wrong.status, 401, 'the old password no longer works in either form');

      // Delete asks the current password too.
      const last = await signIn(signedUp, `${nfd} et thé`);
      const deleted = await last.agent.postForm(`${tessera.url}/account/delete`, {
        csrf: hiddenField(last.page, 'csrf'),
        delete_current_password: `${nfc} et thé`,
      });
      assert.equal(deleted.status, 200);
      assert.equal(await hashOf(signedUp), undefined, 'the account is gone');
    });

    it('T50: a hash made from a raw NFD password signs in with either form and is replaced by the NFC one', async () => {
      const store = createSqlIdentityStore(tessera.store.db);
      const legacy = async (email: string) => {
        const hash = await argon2.hash(nfd, argon2Options);
        await store.createAccount({
          id: randomUUID(),
          kind: 'customer',
          email,
          emailVerified: true,
          directoryId: null,
          username: null,
          groups: [],
          passwordHash: hash,
          name: null,
          status: 'active',
          createdAt: Date.now(),
        });
        return hash;
      };
      for (const [name, typed] of [
        ['nfd', nfd],
        ['nfc', nfc],
      ] as const) {
        const email = address(`t50-legacy-${name}`);
        const stored = await legacy(email);
        assert.equal((await signIn(email, `${typed}!`)).status, 401, 'a wrong password is still wrong');
        assert.equal(await hashOf(email), stored, 'and changes nothing');

        assert.equal((await signIn(email, typed)).status, 303, `typed in ${name}`);
        const upgraded = (await hashOf(email))!;
        assert.notEqual(upgraded, stored, 'the hash was replaced');
        assert.equal(await argon2.verify(upgraded, nfc), true, 'by a hash of the NFC form');
        assert.equal(await argon2.verify(upgraded, nfd), false);
        const events = await tessera.store.db
          .selectFrom('audit_events')
          .select(['action', 'outcome'])
          .where('subject', '=', await accountId(email))
          .where('action', '=', 'account.password_rehash')
          .execute();
        assert.deepEqual(
          events.map((e) => ({ ...e })),
          [{ action: 'account.password_rehash', outcome: 'success' }],
        );
        // Both forms keep working with the new hash.
        assert.equal((await signIn(email, nfd)).status, 303);
        assert.equal((await signIn(email, nfc)).status, 303);
        assert.equal(await hashOf(email), upgraded, 'rehashed once');
      }
    });

    it('T2: a 128-character Unicode passphrase is accepted; one sharing only its first 72 bytes fails', async () => {
      const passphrase = [...'Ünïcödé pässphräsé, 🦊 '.repeat(8)].slice(0, 128).join('');
      assert.equal([...passphrase].length, 128);
      // bcrypt would keep only the first 72 bytes; argon2id keeps every one.
      const prefix = Buffer.from(passphrase).subarray(0, 72).toString();
      assert.equal(Buffer.byteLength(prefix), 72, 'the prefix ends on a whole character');
      const sharesPrefix = prefix + 'x'.repeat(128 - [...prefix].length);
      assert.notEqual(sharesPrefix, passphrase);

      const email = address('t2-long');
      await signUpAndConfirm(email, passphrase);
      assert.equal((await signIn(email, passphrase)).status, 303);
      assert.equal((await signIn(email, sharesPrefix)).status, 401);
      assert.equal((await signIn(email, prefix)).status, 401);
    });

    it('T2: 1,025 characters get the "too long" page with the form kept, and nothing is stored; 1,024 in NFD are fine', async () => {
      const tooLong = 'é'.repeat(1025);
      const email = address('t2-too-long');
      const signUpTooLong = await signUp(email, tooLong);
      assert.equal(signUpTooLong.response.status, 400);
      assert.match(signUpTooLong.body, /That password is too long: use at most 1,024 characters\./);
      assert.match(signUpTooLong.body, new RegExp(`value="${email}"`), 'the form keeps the address');
      assert.doesNotMatch(signUpTooLong.body, /é{20}/, 'the password is not echoed');
      assert.equal(await hashOf(email), undefined, 'nothing stored');
      assert.deepEqual(await tessera.outbox.recent({ to: email }), [], 'no mail');

      // 1,024 characters typed decomposed are 2,048 code points: the form takes them and the rule counts characters.
      const longest = address('t2-longest');
      await signUpAndConfirm(longest, 'é'.repeat(1024).normalize('NFD'));
      const session = await signIn(longest, 'é'.repeat(1024));
      assert.equal(session.status, 303);

      const stored = await hashOf(longest);
      const change = await changePassword(session.agent, session.page, 'é'.repeat(1024), tooLong);
      assert.equal(change.status, 400);
      assert.match(change.body, /That password is too long: use at most 1,024 characters\./);
      const reset = await openResetLink(longest);
      const resetTooLong = await reset.submit(tooLong);
      assert.equal(resetTooLong.status, 400);
      assert.match(resetTooLong.body, /That password is too long: use at most 1,024 characters\./);
      assert.match(resetTooLong.body, /name="token"/, 'the form is shown again, its link not spent');
      assert.equal(await hashOf(longest), stored, 'the password is unchanged');
    });
  });
}
