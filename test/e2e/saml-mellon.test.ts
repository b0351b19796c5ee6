// A real Debian service provider in a real browser: Apache with mod_auth_mellon protects a page; Chromium opens it,
// is sent to Tessera, signs in with the password and the OTP code (the app's policy saml:<entity ID> requires it),
// and lands on the page, which shows the attributes mellon received. Then Single Logout from the app.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { startMellon, type MellonSp } from '../support/mellon.ts';

const password = 'employee passphrase';

for (const dialect of await testDialects()) {
  describe(`mod_auth_mellon through Chromium on ${dialect}`, () => {
    let tessera: RunningTessera;
    let mellon: MellonSp;
    let browser: Browser;
    before(async () => {
      tessera = await startTessera(dialect);
      mellon = await startMellon(tessera, { attributeNames: 'plain', nameIdFormat: 'email' });
      await tessera.policies.save(
        { appId: `saml:${mellon.entityId}`, otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await mellon?.stop();
      await tessera?.stop();
    });

    it('reaches the protected page with password and OTP code, sees the attributes, and signs out by SLO', async () => {
      const email = `mellon-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password, name: 'Mia Mellon' });
      const key = await enrolMobileToken(tessera, account.id, email);
      // The app's certificate is from a throwaway CA of this test.
      const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
      try {
        await page.goto(`${mellon.url}/private/whoami`);
        assert.ok(page.url().startsWith(`${tessera.url}/interaction/`), page.url());
        assert.match(await page.content(), /Team wiki \(mellon\)/);
        await page.fill('input[name="email"]', email);
        await page.fill('input[name="password"]', password);
        await page.click('button[type="submit"]');
        await page.waitForSelector('input[name="code"]');
        await page.fill('input[name="code"]', oathtool(key));
        await Promise.all([page.waitForURL(`${mellon.url}/private/whoami`), page.click('button[type="submit"]')]);
        const seen = await page.textContent('body');
        assert.match(seen ?? '', new RegExp(`MELLON_NAME_ID=${email}`), mellon.errorLog());
        assert.match(seen ?? '', new RegExp(`MELLON_mail=${email}`));
        assert.match(seen ?? '', /MELLON_displayName=Mia Mellon/);

        // Single Logout started at the app: Tessera ends the session and answers mellon, which returns the person.
        await page.goto(`${mellon.url}/mellon/logout?ReturnTo=${encodeURIComponent(`${mellon.url}/signed-out`)}`);
        await page.waitForURL(`${mellon.url}/signed-out`);
        assert.equal((await tessera.sessions.list(account.id)).length, 0);
        await page.goto(`${mellon.url}/private/whoami`);
        assert.ok(page.url().startsWith(`${tessera.url}/interaction/`), 'signed out: the password is asked again');
        assert.ok(await page.$('input[name="password"]'));
      } finally {
        await page.close();
      }
    });
  });
}
