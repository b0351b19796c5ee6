// "Reset password" as a customer does it in Chromium (e-mail + an accessible proof-of-work check, mailed link, new
// password, every device signed out), and the attacks on it: replayed captcha, poisoned Host, racing and stale links.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { createAgent, hiddenField, solvedCaptcha } from '../support/tessera.ts';
import { accessibilityViolations } from '../support/browser.ts';
import { useDemoStack, signInAtShop } from '../support/demo-stack.ts';

const linkIn = (text: string) => text.match(/https?:\/\/\S+\/reset-password\/new\?token=[\w-]+/)?.[0];

for (const dialect of await testDialects()) {
  describe(`password reset on ${dialect}`, () => {
    const stage = useDemoStack(dialect, { config: { accounts: { captchaMaxNumber: 5000 } } });

    // What a script would do: fetch the page, solve the proof of work, post the form.
    async function requestReset(email: string, options: { captcha?: string; headers?: Record<string, string> } = {}) {
      const agent = createAgent();
      const page = await (await agent.request(`${stage.tessera.url}/reset-password`)).text();
      const captcha = options.captcha ?? (await solvedCaptcha(page));
      const response = await agent.request(`${stage.tessera.url}/reset-password`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: hiddenField(page, 'csrf'), email, captcha }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      });
      return { agent, response, captcha, body: await response.text() };
    }

    it('resets the password in the browser: mail, link, new password, every device signed out, no automatic sign-in', async () => {
      const email = `reset-${dialect}@example.com`;
      await stage.tessera.accounts.createByOperator({ email, password: 'the old passphrase' });
      const laptop = await stage.browser.newContext();
      const signedIn = await laptop.newPage();
      await signInAtShop(signedIn, stage.shop.url, email, 'the old passphrase');

      const phone = await stage.browser.newContext();
      const page = await phone.newPage();
      await page.goto(`${stage.shop.url}/login`);
      await page.getByRole('link', { name: 'Reset password' }).click();
      await page.getByRole('heading', { name: 'Reset password' }).waitFor();
      await page.getByText('Check done. You can continue.').waitFor();
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText(`If an account exists for ${email}`).waitFor();
      assert.match(await page.content(), /spam folder/);

      const mail = await stage.smtp.waitForMail((m) => m.to.includes(email) && /Reset/.test(m.subject));
      const link = linkIn(mail.text)!;
      assert.ok(link.startsWith(stage.tessera.url));
      await page.goto(link);
      await page.getByLabel('New password').fill('passwordpassword');
      await page.getByRole('button', { name: 'Save new password' }).click();
      await page.getByText('has appeared in a data breach').first().waitFor();
      await page.getByLabel('New password').fill('a brand new passphrase');
      await page.getByRole('button', { name: 'Save new password' }).click();
      await page.getByText('Your password is changed').waitFor();
      await page.goto(stage.shop.url);
      await page.getByText('You are not signed in.').waitFor();
      await signedIn.goto(stage.shop.url);
      await signedIn.getByText('You are not signed in.').waitFor();

      await page.goto(link);
      await page.getByLabel('New password').fill('yet another passphrase');
      await page.getByRole('button', { name: 'Save new password' }).click();
      await page.getByText('expired or was already used').waitFor();
      await assert.rejects(stage.tessera.accounts.authenticate(email, 'the old passphrase'), {
        code: 'identity.invalid_credentials',
      });
      assert.ok(await stage.tessera.accounts.authenticate(email, 'a brand new passphrase'));
      await laptop.close();
      await phone.close();
    });

    it('answers an unknown address like a known one, and a poisoned Host header never reaches the link', async () => {
      const known = `known-${dialect}@example.com`;
      await stage.tessera.accounts.createByOperator({ email: known, password: 'a known passphrase' });
      const [a, b] = [
        await requestReset(known, { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } }),
        await requestReset(`unknown-${dialect}@example.com`),
      ];
      assert.equal(a.response.status, 200);
      assert.equal(a.body.replace(known, 'X'), b.body.replace(`unknown-${dialect}@example.com`, 'X'));
      const mail = await stage.smtp.waitForMail((m) => m.to.includes(known));
      assert.ok(linkIn(mail.text)!.startsWith(stage.tessera.url), 'the link uses the configured issuer');
      assert.doesNotMatch(mail.text, /evil/);
    });

    it('refuses a missing, forged or replayed captcha and a form without its token', async () => {
      const missing = await requestReset(`c-${dialect}@example.com`, { captcha: '' });
      assert.equal(missing.response.status, 400);
      assert.match(missing.body, /has not finished/);
      const forged = await requestReset(`c-${dialect}@example.com`, {
        captcha: Buffer.from('{"number":1}').toString('base64'),
      });
      assert.match(forged.body, /did not pass/);
      const first = await requestReset(`c-${dialect}@example.com`);
      assert.equal(first.response.status, 200);
      const replayed = await requestReset(`c-${dialect}@example.com`, { captcha: first.captcha });
      assert.match(replayed.body, /already used/);
      const noToken = await fetch(`${stage.tessera.url}/reset-password`, {
        method: 'POST',
        body: new URLSearchParams({ email: 'x@example.com', captcha: first.captcha }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(noToken.status, 403);
    });

    it('lets one of two simultaneous uses of a link win, and makes links stale after a newer link or another password change', async () => {
      const email = `race-${dialect}@example.com`;
      await stage.tessera.accounts.createByOperator({ email, password: 'race passphrase one' });
      const { agent } = await requestReset(email);
      const link = linkIn((await stage.smtp.waitForMail((m) => m.to.includes(email) && /Reset/.test(m.subject))).text)!;
      const form = await (await agent.request(link)).text();
      const submit = (password: string) =>
        agent.postForm(`${stage.tessera.url}/reset-password/new`, {
          csrf: hiddenField(form, 'csrf'),
          token: hiddenField(form, 'token'),
          password,
        });
      const statuses = (await Promise.all([submit('race winner passphrase'), submit('race loser passphrase')]))
        .map((r) => r.status)
        .sort();
      assert.deepEqual(statuses, [200, 400]);

      const stale = await requestReset(email);
      const staleLink = linkIn(
        (
          await stage.smtp.waitForMail(
            (m) => m.to.includes(email) && /Reset/.test(m.subject) && linkIn(m.text) !== link,
          )
        ).text,
      )!;
      const account = (
        await stage.tessera.store.db
          .selectFrom('accounts')
          .select('id')
          .where('email', '=', email)
          .executeTakeFirstOrThrow()
      ).id;
      const current = (await stage.tessera.accounts
        .authenticate(email, 'race winner passphrase')
        .catch(() => undefined))
        ? 'race winner passphrase'
        : 'race loser passphrase';
      await stage.tessera.selfService.changePassword(account, current, 'changed on the account page');
      const staleForm = await (await stale.agent.request(staleLink)).text();
      const used = await stale.agent.postForm(`${stage.tessera.url}/reset-password/new`, {
        csrf: hiddenField(staleForm, 'csrf'),
        token: hiddenField(staleForm, 'token'),
        password: 'too late passphrase',
      });
      assert.equal(used.status, 400);
      assert.ok(await stage.tessera.accounts.authenticate(email, 'changed on the account page'));
    });
  });
}
