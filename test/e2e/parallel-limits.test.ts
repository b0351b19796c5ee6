// Limits under a burst of parallel requests over HTTP: each attempt is counted before it is checked, so 200
// sign-ins sent at once check no more than the limit allows, and the correct password sent last is refused like
// the rest (checklist T45).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';

const redirectUri = 'http://127.0.0.1:9/cb';
// Every limit a sign-in from one address meets, at the figure the burst must not beat. Windows are fixed spans of
// the clock, so a day-long one keeps the burst inside one window (a 5-minute one would let a burst straddling its
// end meet two).
const limit = 20;
const signInLimits = {
  signInPerAccountSource: { limit, windowSeconds: 86_400 },
  signInPerAccount: { limit, windowSeconds: 86_400 },
};

for (const dialect of await testDialects()) {
  describe(`sign-in limits under 200 parallel attempts on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, { limits: signInLimits });
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: [redirectUri],
        first_party: true,
      });
    });
    after(() => tessera.stop());

    it('checks at most the limit of 200 parallel sign-ins at one account, and refuses the correct password sent last (T45)', async () => {
      const email = `burst-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'the right passphrase' });
      const agent = createAgent();
      const page = await agent.follow(
        `${tessera.url}/oidc/auth?client_id=shop&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`,
        tessera.url,
      );
      const csrf = hiddenField(await page.response.text(), 'csrf');
      const passwords = [...Array.from({ length: 199 }, (_, i) => `wrong guess ${i}`), 'the right passphrase'];
      const answers = await Promise.all(
        passwords.map(async (password) => {
          const response = await agent.postForm(`${page.url}/login`, { csrf, email, password });
          await response.arrayBuffer();
          return { status: response.status, retryAfter: response.headers.get('retry-after') };
        }),
      );
      const checked = answers.filter((a) => a.status === 401).length;
      assert.ok(checked <= limit, `${checked} wrong passwords were checked`);
      assert.equal(
        answers.filter((a) => a.status === 429).length + checked + (answers.at(-1)!.status === 303 ? 1 : 0),
        200,
        'every answer is a refusal, a check or the sign-in',
      );
      assert.equal(answers.at(-1)!.status, 429, 'the correct password, sent last, waits like the guesses');
      assert.ok(answers.filter((a) => a.status === 429).every((a) => Number(a.retryAfter) > 0));
      const audited = await tessera.store.db
        .selectFrom('audit_events')
        .select(['outcome'])
        .where('action', '=', 'account.sign_in')
        .execute();
      assert.ok(!audited.some((row) => row.outcome === 'success'), 'no sign-in was recorded');
    });
  });
}
