// The customer's path in headless Chromium: sign up with "Google" on the demo shop, be signed in on the forum,
// link Microsoft on the account page, sign in with Microsoft in another browser, unlink. The providers are real
// OpenID servers on 127.0.0.1 (test/support/social-idp.ts); every Tessera page on the way passes axe.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { accessibilityViolations, launchBrowser, wcag22 } from '../support/browser.ts';
import { startRegisteredDemoApp } from '../support/demo-stack.ts';
import { startSocialStage, type SocialStage } from '../support/social.ts';
import type { DemoApp } from '../../examples/relying-party/index.ts';

for (const dialect of await testDialects()) {
  describe(`social sign-in in the browser on ${dialect}`, () => {
    let stage: SocialStage;
    let shop: DemoApp;
    let forum: DemoApp;
    let browser: Browser;
    before(async () => {
      stage = await startSocialStage(dialect);
      shop = await startRegisteredDemoApp(stage.tessera, 'shop', { first_party: true });
      forum = await startRegisteredDemoApp(stage.tessera, 'forum', { first_party: true });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await shop?.close();
      await forum?.close();
      await stage?.stop();
    });

    it('signs up with Google on the shop, links and signs in with Microsoft, and unlinks it', async () => {
      const email = `chromium-${dialect}@example.com`;
      stage.google.next = { sub: `g-${dialect}`, email, email_verified: true, name: 'Chris Chromium' };
      const page = await browser.newPage();
      await page.goto(shop.url);
      await page
        .getByRole('link', { name: 'Create account' })
        .or(page.getByRole('button', { name: 'Create account' }))
        .first()
        .click();
      await page.waitForURL(/\/interaction\//);
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByRole('button', { name: 'Continue with Google' }).click();
      await page.waitForURL((url) => url.toString().startsWith(shop.url));
      await page.getByText('Signed in as').waitFor();
      assert.match(await page.content(), new RegExp(email));

      await page.goto(forum.url);
      await page.getByText('Signed in as').waitFor();
      assert.match(await page.content(), new RegExp(email), 'signed in on the forum with no second trip');

      const oid = randomUUID();
      const microsoft = {
        sub: `ms-${oid}`,
        tid: stage.microsoft.tenant,
        oid,
        email: 'chris@contoso.example',
        xms_edov: true,
      };
      stage.microsoft.next = microsoft;
      await page.goto(`${stage.tessera.url}/account`);
      await page.getByRole('button', { name: 'Link Microsoft' }).click();
      await page.getByText('Microsoft is linked to your account.').waitFor();
      assert.match(await page.content(), /Microsoft \(chris@contoso\.example\)/);
      assert.deepEqual(await accessibilityViolations(page), []);

      // Another browser: Microsoft alone signs in to the same account.
      const other = await browser.newContext();
      const second = await other.newPage();
      await second.goto(`${shop.url}/login`);
      await second.getByRole('button', { name: 'Continue with Microsoft' }).click();
      await second.waitForURL((url) => url.toString().startsWith(shop.url));
      await second.getByText('Signed in as').waitFor();
      assert.match(await second.content(), new RegExp(email));
      await other.close();

      await page.goto(`${stage.tessera.url}/account`);
      await page.getByRole('button', { name: 'Unlink: Microsoft' }).click();
      await page.getByText('Microsoft is no longer linked to your account.').waitFor();
      // Google is now the only way in: its Unlink is refused with the reason.
      await page.getByRole('button', { name: 'Unlink: Google' }).click();
      await page.getByText('This is your only way to sign in.').first().waitFor();
      await page.close();
    });

    it('shows a clear page when the person cancels at the provider', async () => {
      stage.facebook.next = 'cancel';
      const page = await browser.newPage();
      await page.goto(`${shop.url}/login`);
      await page.getByRole('button', { name: 'Continue with Facebook' }).click();
      await page.getByText('You cancelled at the provider. Nothing was changed.').waitFor();
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.close();
    });

    it('in Romanian too: the provider buttons and a cancelled trip pass WCAG 2.2 AA (issue 22)', async () => {
      stage.facebook.next = 'cancel';
      const context = await browser.newContext({ locale: 'ro-RO' });
      const page = await context.newPage();
      await page.goto(`${shop.url}/login?lang=ro`);
      await page.getByRole('heading', { name: 'Sau continuați cu' }).waitFor();
      assert.deepEqual(await accessibilityViolations(page, wcag22), []);
      await page.getByRole('button', { name: 'Continuați cu Facebook' }).click();
      await page.getByText('Ați anulat la furnizor. Nu s-a schimbat nimic.').waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'ro');
      assert.deepEqual(await accessibilityViolations(page, wcag22), []);
      await context.close();
    });
  });
}
