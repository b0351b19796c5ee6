// The confirmation step after sign-up, attacked: guessing codes across new codes (T45), flooding the address with
// mail through sign-in and "send a new code", and telling a taken address from a new one by the next answers (T46).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as client from 'openid-client';
import { testDialects } from '../support/databases.ts';
import { startTessera, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { authorize, registerApp, testRedirectUri } from '../support/oidc.ts';

const password = 'a customer passphrase';

for (const dialect of await testDialects()) {
  describe(`sign-up confirmation under attack on ${dialect}`, () => {
    let tessera: RunningTessera;
    let shop: client.Configuration;
    before(async () => {
      tessera = await startTessera(dialect);
      shop = await registerApp(tessera, 'shop');
    });
    after(async () => {
      await tessera?.stop();
    });

    const mailsTo = async (email: string) => tessera.outbox.recent({ to: email, limit: 100 });
    const codeIn = async (email: string) => (await mailsTo(email))[0].text.match(/code is (\d{6})/)![1];

    /** Signs up at the shop's sign-in and returns the confirmation page, ready for its forms. */
    async function signUp(email: string) {
      const start = await authorize(tessera, shop, { params: { prompt: 'create' } });
      const response = await start.agent.postForm(`${start.step.url}/signup`, {
        csrf: hiddenField(start.page, 'csrf'),
        email,
        password,
      });
      return { ...start, page: await response.text(), status: response.status };
    }
    async function post(
      flow: { agent: Awaited<ReturnType<typeof signUp>>['agent']; step: { url: string }; page: string },
      path: string,
      fields: Record<string, string> = {},
    ) {
      const response = await flow.agent.postForm(`${flow.step.url}/${path}`, {
        csrf: hiddenField(flow.page, 'csrf'),
        verification: hiddenField(flow.page, 'verification'),
        email: hiddenField(flow.page, 'email'),
        ...fields,
      });
      const page = await response.text();
      return {
        status: response.status,
        page,
        retryAfter: response.headers.get('retry-after'),
        location: response.headers.get('location'),
      };
    }

    it('counts guesses at the code per account, across new codes: a new code gives no fresh guesses', async () => {
      const email = `guess-${dialect}@example.com`;
      const flow = await signUp(email);
      assert.match(flow.page, /Confirm your e-mail address/);
      const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
      for (let i = 0; i < 5; i++)
        assert.match((await post(flow, 'verify', { code: wrong(await codeIn(email)) })).page, /That code is not right/);
      assert.match(
        (await post(flow, 'verify', { code: await codeIn(email) })).page,
        /expired or was already used/,
        'five wrong codes spend a code',
      );
      // A new code: the count of wrong guesses goes on where it was (limit 10 an hour per account).
      const resent = await post(flow, 'resend');
      assert.match(resent.page, /A new code is on its way/);
      const fresh = { ...flow, page: resent.page };
      for (let i = 0; i < 4; i++)
        assert.match(
          (await post(fresh, 'verify', { code: wrong(await codeIn(email)) })).page,
          /That code is not right/,
        );
      const refused = await post(fresh, 'verify', { code: await codeIn(email) });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.retryAfter) > 0);
      assert.match(refused.page, /Too many attempts/);
      const account = await tessera.store.db
        .selectFrom('accounts')
        .select('email_verified')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      assert.equal(account.email_verified, 0, 'not confirmed by the eleventh guess, right or wrong');
    });

    it('mails no new code when the person signs in before confirming, and limits mail per account on every path', async () => {
      const email = `flood-${dialect}@example.com`;
      await signUp(email);
      assert.equal((await mailsTo(email)).length, 1);
      for (let i = 0; i < 8; i++) {
        const signIn = await authorize(tessera, shop, { email, password });
        assert.match(signIn.page, /Confirm your e-mail address first: enter the code from the mail we sent you/);
      }
      assert.equal((await mailsTo(email)).length, 1, 'signing in again and again sends nothing while the code is open');
      const signIn = await authorize(tessera, shop, { email, password });
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await post(signIn, 'resend'));
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200, 200, 429, 429],
        'five mails an hour per account, the first included',
      );
      assert.equal((await mailsTo(email)).length, 5);
      // The newest code still confirms: the limit throttles mail, not the person.
      const done = await post({ ...signIn, page: answers[3].page }, 'verify', { code: await codeIn(email) });
      assert.equal(done.status, 303);
    });

    it('answers the steps after sign-up the same for a taken address and a new one', async () => {
      const taken = `taken-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: taken, password: 'the owner passphrase' });
      const fresh = `fresh-${dialect}@example.com`;
      const [a, b] = [await signUp(taken), await signUp(fresh)];
      // Everything but the address typed, the interaction and the hidden values (csrf, verification id).
      const shape = (page: string, email: string) =>
        page
          .replaceAll(email, 'EMAIL')
          .replace(/value="[^"]*"/g, 'value=""')
          .replace(/\/interaction\/[\w-]+/g, '/interaction/UID');
      assert.equal(a.status, b.status);
      assert.equal(shape(a.page, taken), shape(b.page, fresh), 'the confirmation page');
      for (let i = 0; i < 5; i++) {
        const [x, y] = [await post(a, 'verify', { code: '000001' }), await post(b, 'verify', { code: '000001' })];
        assert.deepEqual([x.status, shape(x.page, taken)], [y.status, shape(y.page, fresh)], `wrong code ${i + 1}`);
        assert.match(x.page, /That code is not right/);
      }
      const [spentA, spentB] = [
        await post(a, 'verify', { code: '000001' }),
        await post(b, 'verify', { code: '000001' }),
      ];
      assert.deepEqual(
        [spentA.status, shape(spentA.page, taken)],
        [spentB.status, shape(spentB.page, fresh)],
        'spent after five',
      );
      const [resentA, resentB] = [await post(a, 'resend'), await post(b, 'resend')];
      assert.deepEqual(
        [resentA.status, shape(resentA.page, taken)],
        [resentB.status, shape(resentB.page, fresh)],
        '"send a new code"',
      );
      assert.match(resentA.page, new RegExp(`a link to ${taken}`), 'the address typed, never blank');
      // The owner of the taken address hears of the attempts and never gets a code.
      const ownerMail = await mailsTo(taken);
      assert.ok(ownerMail.length >= 2 && ownerMail.every((m) => /Someone tried to sign up/.test(m.subject)));
      // And the owner still signs in with their own password.
      const owner = await authorize(tessera, shop, { email: taken, password: 'the owner passphrase' });
      assert.ok(owner.step.url.startsWith(testRedirectUri));
    });
  });
}
