// A customer looks after the account alone, in headless Chromium against the real server, the demo apps and a
// real SMTP server: devices and apps, e-mail change with undo, password change, export, sign-out everywhere, delete.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { accessibilityViolations } from '../support/browser.ts';
import { useDemoStack, signInAtShop, startRegisteredDemoApp } from '../support/demo-stack.ts';

const password = 'a customer passphrase';

for (const dialect of await testDialects()) {
  describe(`account self-service in the browser on ${dialect}`, () => {
    const stage = useDemoStack(dialect, { shop: { policy_uri: 'https://shop.example.com/privacy' } });

    async function signedInAtShop(context: BrowserContext, email: string): Promise<Page> {
      const page = await context.newPage();
      await signInAtShop(page, stage.shop.url, email, password);
      return page;
    }
    const linkIn = (text: string, path: string) => text.match(new RegExp(`https?://\\S+${path}\\?token=[\\w-]+`))?.[0];

    it('shows devices and apps, changes the e-mail from a link, and the old address can undo it', async () => {
      await stage.tessera.accounts.createByOperator({ email: `ida-${dialect}@example.com`, password });
      const context = await stage.browser.newContext();
      const page = await signedInAtShop(context, `ida-${dialect}@example.com`);
      await page.goto(`${stage.tessera.url}/account`);
      await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
      const devices = page.getByRole('region', { name: 'Where you are signed in' });
      assert.match((await devices.textContent()) ?? '', /Chrome on Linux.*This browser/s);
      const apps = page.getByRole('region', { name: 'Apps that use your account' });
      assert.match((await apps.textContent()) ?? '', /Demo Shop/);
      assert.equal(
        await apps.getByRole('link', { name: 'Privacy policy of Demo Shop' }).getAttribute('href'),
        'https://shop.example.com/privacy',
      );
      assert.deepEqual(await accessibilityViolations(page), []);

      // A wrong current password is tied to its field and changes nothing.
      await page.getByLabel('New e-mail address').fill(`ida-new-${dialect}@example.com`);
      await page.locator('#email_current_password').fill('not my password');
      await page.getByRole('button', { name: 'Send confirmation link' }).click();
      await page.getByRole('alert').waitFor();
      assert.equal(await page.locator('#email_current_password').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('New e-mail address').fill(`Ida-New-${dialect}@Example.com`);
      await page.locator('#email_current_password').fill(password);
      await page.getByRole('button', { name: 'Send confirmation link' }).click();
      await page.getByText('We sent a confirmation link').waitFor();
      const confirmMail = await stage.smtp.waitForMail((m) => m.to.includes(`ida-new-${dialect}@example.com`));
      const confirm = linkIn(confirmMail.text, '/account/email/confirm');
      assert.ok(confirm?.startsWith(stage.tessera.url), 'the link uses the configured issuer');

      // Until it is confirmed, the old address is still the account's.
      assert.equal(
        (
          await stage.tessera.accounts.findAccount(
            (
              await stage.tessera.store.db
                .selectFrom('accounts')
                .select('id')
                .where('email', '=', `ida-${dialect}@example.com`)
                .executeTakeFirstOrThrow()
            ).id,
          )
        )?.email,
        `ida-${dialect}@example.com`,
      );
      await page.goto(confirm!);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText(`Your e-mail address is now ida-new-${dialect}@example.com`).waitFor();
      // The link is single use.
      await page.goto(confirm!);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('expired or was already used').waitFor();

      // Tokens issued afterwards carry the new address.
      await page.goto(`${stage.shop.url}/login`);
      await page.getByText('Signed in as').waitFor();
      assert.match(await page.content(), new RegExp(`ida-new-${dialect}@example.com`));

      const notice = await stage.smtp.waitForMail(
        (m) => m.to.includes(`ida-${dialect}@example.com`) && /was changed/.test(m.subject),
      );
      const undo = linkIn(notice.text, '/account/email/undo');
      assert.ok(undo);
      await page.goto(undo!);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('your old e-mail address is back').waitFor();
      // Undoing signs everyone out: the shop learned it by back-channel.
      await page.goto(stage.shop.url);
      await page.getByText('You are not signed in.').waitFor();
      await context.close();
    });

    it('asks consent for a third-party app with its privacy policy, unsubscribes by the mail button, and signs out everywhere', async () => {
      const email = `kim-${dialect}@example.com`;
      const kim = await stage.tessera.accounts.createByOperator({ email, password });
      await stage.tessera.selfService.setMarketing(kim.id, true, 'account');
      const partner = await startRegisteredDemoApp(
        stage.tessera,
        'forum',
        {
          client_id: 'partner-forum',
          client_name: 'Partner Forum',
          policy_uri: 'https://partner.example/privacy',
          tos_uri: 'https://partner.example/terms',
        },
        { clientId: 'partner-forum' },
      );
      try {
        const context = await stage.browser.newContext();
        const page = await signedInAtShop(context, email);
        await page.goto(`${partner.url}/login`);
        await page.getByRole('heading', { name: 'Partner Forum asks for access' }).waitFor();
        assert.equal(
          await page.getByRole('link', { name: 'Privacy policy of Partner Forum' }).getAttribute('href'),
          'https://partner.example/privacy',
        );
        assert.match(await page.content(), /See your e-mail address/);
        assert.deepEqual(await accessibilityViolations(page), []);
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByText('Signed in as').waitFor();

        await stage.tessera.sendCampaign({ subject: `News for ${dialect}`, html: '<p>News</p>' });
        const mail = await stage.smtp.waitForMail((m) => m.subject === `News for ${dialect}` && m.to.includes(email));
        await page.goto(mail.headers.get('list-unsubscribe')!.replace(/^<|>$/g, ''));
        await page.getByRole('button', { name: 'Unsubscribe' }).click();
        await page.getByText('You are unsubscribed').waitFor();
        assert.equal((await stage.tessera.selfService.marketing(kim.id)).subscribed, false);

        await page.goto(`${stage.tessera.url}/account`);
        assert.match(
          (await page.getByRole('region', { name: 'Apps that use your account' }).textContent()) ?? '',
          /Partner Forum/,
        );
        await page.getByRole('button', { name: 'Sign out everywhere' }).click();
        await page.getByText('You are signed out').waitFor();
        for (const app of [stage.shop.url, partner.url]) {
          await page.goto(app);
          await page.getByText('You are not signed in.').waitFor();
        }
        await context.close();
      } finally {
        await partner.close();
      }
    });

    it('changes the password (other devices signed out), exports the data, signs out everywhere and deletes the account', async () => {
      const email = `jo-${dialect}@example.com`;
      await stage.tessera.accounts.createByOperator({ email, password });
      const laptop = await stage.browser.newContext();
      const phone = await stage.browser.newContext({
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
      });
      const page = await signedInAtShop(laptop, email);
      const phonePage = await signedInAtShop(phone, email);
      await page.goto(`${stage.tessera.url}/account`);
      assert.match(
        (await page.getByRole('region', { name: 'Where you are signed in' }).textContent()) ?? '',
        /Safari on iOS/,
      );

      await page.getByLabel('Current password', { exact: true }).first().fill(password);
      await page.getByLabel('New password').fill('passwordpassword');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.locator('#new_password-error').getByText('has appeared in a data breach').waitFor();
      await page.getByLabel('Current password', { exact: true }).first().fill(password);
      await page.getByLabel('New password').fill('a brand new passphrase');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password is changed').waitFor();
      await stage.smtp.waitForMail((m) => m.to.includes(email) && /password was changed/.test(m.subject));
      // The phone's session ended, and its shop session with it.
      await phonePage.goto(stage.shop.url);
      await phonePage.getByText('You are not signed in.').waitFor();

      const download = await page.request.get(`${stage.tessera.url}/account/export`);
      const data = (await download.json()) as { profile: Record<string, unknown> };
      assert.equal(data.profile.email, email);
      assert.ok(!JSON.stringify(data).includes('argon2'), 'no password hash in the export');

      // A form posted without its CSRF token does nothing.
      const forged = await page.request.post(`${stage.tessera.url}/account/sessions/end-all`, {
        form: { csrf: 'forged' },
      });
      assert.equal(forged.status(), 403);

      await page.locator('#delete_current_password').fill('a brand new passphrase');
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await page.getByText('Your account is deleted').waitFor();
      await page.goto(stage.shop.url);
      await page.getByText('You are not signed in.').waitFor();
      // The address is free again.
      assert.equal(
        await stage.tessera.store.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst(),
        undefined,
      );
      await laptop.close();
      await phone.close();
    });
  });
}
