// How long a sign-in lasts, and what the account page's password checks allow: a session ends at its absolute limit
// counted from the sign-in however busy it is, and after its idle limit counted from its last use (T27); wrong
// current passwords on the account page are limited like sign-ins (T45).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as client from 'openid-client';
import { manualClock } from '../../src/clock/index.ts';
import { testDialects } from '../support/databases.ts';
import { startTessera, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { authorize, registerApp, testRedirectUri, type Agent } from '../support/oidc.ts';

const password = 'a customer passphrase';

for (const dialect of await testDialects()) {
  describe(`session limits and account-page password checks on ${dialect}`, () => {
    let tessera: RunningTessera;
    let shop: client.Configuration;
    // The sessions' limits are counted on Tessera's clock: the test moves it instead of waiting.
    const clock = manualClock(Date.now());
    before(async () => {
      tessera = await startTessera(dialect, { sessions: { absoluteSeconds: 600, idleSeconds: 120 } }, { clock });
      shop = await registerApp(tessera, 'shop');
    });
    after(async () => {
      await tessera?.stop();
    });

    const silently = async (agent: Agent) => {
      const { step } = await authorize(tessera, shop, { agent, params: { prompt: 'none' } });
      return new URL(step.url).searchParams.get('error') ?? 'signed in';
    };
    // oidc-provider stamps the sign-in time from the system's clock: each person starts with both clocks agreeing.
    async function customer(name: string) {
      clock.set(Date.now());
      const email = `${name}-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      return { email, agent: await signIn(email) };
    }
    async function signIn(email: string) {
      const signedIn = await authorize(tessera, shop, { email, password });
      assert.ok(signedIn.step.url.startsWith(testRedirectUri));
      return signedIn.agent;
    }

    it('ends a session at its absolute limit from the sign-in, however often an app uses it (prompt=none)', async () => {
      const { agent } = await customer('busy');
      for (let elapsed = 0; elapsed < 540; elapsed += 90) {
        clock.advance(90_000);
        assert.equal(await silently(agent), 'signed in', `after ${elapsed + 90} s`);
      }
      clock.advance(90_000);
      assert.equal(await silently(agent), 'login_required', 'past 600 s from the sign-in');
      assert.equal((await agent.request(`${tessera.url}/account`)).headers.get('location'), '/account/login');
    });

    it('ends a session left unused past its idle limit, and counts a visit to the account page as a use', async () => {
      const { agent } = await customer('idle');
      clock.advance(100_000);
      assert.equal((await agent.request(`${tessera.url}/account`)).status, 200);
      clock.advance(100_000);
      assert.equal(
        (await agent.request(`${tessera.url}/account`)).status,
        200,
        '200 s after the sign-in, 100 s after the last use',
      );
      clock.advance(121_000);
      assert.equal(await silently(agent), 'login_required');
    });

    it('limits wrong current passwords on the account page per account, and changes nothing past the limit', async () => {
      const { email, agent } = await customer('reauth');
      const page = await (await agent.request(`${tessera.url}/account`)).text();
      const csrf = hiddenField(page, 'csrf');
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const path = ['password', 'email', 'delete'][i % 3];
        const fields: Record<string, string> =
          path === 'password'
            ? { current_password: `wrong ${i}`, new_password: 'a brand new passphrase' }
            : path === 'email'
              ? { email_current_password: `wrong ${i}`, new_email: `new-${dialect}@example.com` }
              : { delete_current_password: `wrong ${i}` };
        statuses.push((await agent.postForm(`${tessera.url}/account/${path}`, { csrf, ...fields })).status);
      }
      assert.deepEqual(statuses, Array(10).fill(400));
      const right = await agent.postForm(`${tessera.url}/account/delete`, { csrf, delete_current_password: password });
      assert.equal(right.status, 429);
      assert.ok(Number(right.headers.get('retry-after')) > 0);
      assert.match(await right.text(), /Too many attempts/);
      assert.ok(
        await tessera.accounts.authenticate(email, password),
        'the account is still there, its password unchanged',
      );
      // The window passes: the right password works again (a limit throttles, it never locks for good).
      clock.advance(301_000);
      const later = await signIn(email);
      const laterPage = await (await later.request(`${tessera.url}/account`)).text();
      const changed = await later.postForm(`${tessera.url}/account/password`, {
        csrf: hiddenField(laterPage, 'csrf'),
        current_password: password,
        new_password: 'a brand new passphrase',
      });
      assert.equal(changed.status, 200);
      assert.match(await changed.text(), /Your password is changed/);
    });
  });
}
