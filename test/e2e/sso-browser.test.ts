// The newcomer's path, in headless Chromium against the real server, the real demo apps and a real SMTP server:
// sign up on the shop, confirm from the mail, be signed in on the shop and the forum, log out on the forum and
// find the shop logged out too (back-channel logout).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations } from '../support/browser.ts';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp.ts';
import type { DemoApp } from '../../examples/relying-party/index.ts';
import { startRegisteredDemoApp } from '../support/demo-stack.ts';

for (const dialect of await testDialects()) {
  describe(`single sign-on in the browser on ${dialect}`, () => {
    let smtp: SmtpTestServer;
    let tessera: RunningTessera;
    let browser: Browser;
    let shop: DemoApp;
    let forum: DemoApp;

    before(async () => {
      smtp = await startSmtpServer();
      tessera = await startTessera(dialect, { mail: { smtpUrl: smtp.url } });
      shop = await startRegisteredDemoApp(tessera, 'shop', { first_party: true });
      forum = await startRegisteredDemoApp(tessera, 'forum', { first_party: true });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await shop?.close();
      await forum?.close();
      await tessera?.stop();
      await smtp?.stop();
    });

    it('signs up on the shop, confirms by mail, is signed in on the forum too, and logs out of both', async () => {
      const page = await browser.newPage();
      const email = `newcomer-${dialect}@example.com`;
      await page.goto(shop.url);
      await page
        .getByRole('link', { name: 'Create account' })
        .or(page.getByRole('button', { name: 'Create account' }))
        .first()
        .click();
      await page.waitForURL(/\/interaction\//);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Create your account');
      assert.deepEqual(await accessibilityViolations(page), []);

      // A bad address first: the error is tied to its field and nothing is created.
      await page.getByLabel('E-mail address').fill('not-an-address');
      await page.getByLabel('Password').fill('a fine long passphrase');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('alert').waitFor();
      assert.equal(await page.getByLabel('E-mail address').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill('a fine long passphrase');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();
      assert.match(await page.content(), /spam folder/);
      assert.deepEqual(await accessibilityViolations(page), []);

      const mail = await smtp.waitForMail((m) => m.to.includes(email), 10_000);
      const code = mail.text.match(/\b(\d{6})\b/)?.[1];
      assert.ok(code, 'the mail carries a 6-digit code');
      assert.match(mail.text, new RegExp(`${tessera.url}/verify-email\\?token=`));

      await page.getByLabel('6-digit code').fill(code);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL((url) => url.toString().startsWith(shop.url));
      await page.getByText('Signed in as').waitFor();
      assert.match(await page.content(), new RegExp(email));

      await page.goto(forum.url);
      await page.getByText('Signed in as').waitFor();
      assert.match(await page.content(), new RegExp(email), 'signed in on the forum without a password');

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.waitForURL((url) => url.toString().startsWith(forum.url));
      await page.getByText('You are not signed in.').waitFor();

      await page.goto(shop.url);
      await page.getByText('You are not signed in.').waitFor();
      assert.doesNotMatch(await page.content(), /Signed in as/, 'the shop was logged out by back-channel');
      await page.close();
    });

    it('confirms by the mailed link in the same browser and continues to the app signed in', async () => {
      const page = await browser.newPage();
      const email = `linker-${dialect}@example.com`;
      await page.goto(`${forum.url}/signup`);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill('another fine passphrase');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();
      const mail = await smtp.waitForMail((m) => m.to.includes(email), 10_000);
      const link = mail.text.match(/https?:\/\/\S+verify-email\?token=\S+/)?.[0];
      assert.ok(link);
      await page.goto(link);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL((url) => url.toString().startsWith(forum.url));
      await page.getByText('Signed in as').waitFor();

      // The link is single use.
      await page.goto(link);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('expired or was already used').waitFor();
      await page.close();
    });
  });
}
