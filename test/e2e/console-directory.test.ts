// The console over a real directory (slapd): the role goes to a directory group, the agent's scope is another
// directory group, and the agent issues a registration code (shown once, to read out, with a reason in the audit row)
// for a member of that group, and for nobody outside it. axe WCAG 2.2 AA on the code page.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { launchBrowser, accessibilityViolations, wcag22 } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { testDialects } from '../support/databases.ts';

for (const dialect of await testDialects()) {
  describe(`the console over a directory on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    let browser: Browser;
    let aliceKey: string;
    const ids: Record<string, string> = {};

    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, { directory: fixtureConfig('openldap', [slapd.url]) });
      const workforce = tessera.workforce!;
      // Accounts come from a first directory sign-in, as they do for people.
      ids.alice = (await workforce.signIn('alice', 'correct horse battery')).id;
      ids.bob = (await workforce.signIn('bob', 'bob password 1')).id;
      ids.victor = (await workforce.signIn('victor', 'victor password 1')).id;
      aliceKey = await enrolMobileToken(tessera, ids.alice, 'alice');
      // Members of vpn-users (alice) are helpdesk for the members of staff (bob), not for vendors (victor).
      await tessera.admin({ kind: 'local', actor: 'operator' }).roles.grant({
        group: 'VPN-Users',
        role: 'helpdesk',
        scope: 'Staff',
      });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
      await slapd?.close();
    });

    it('issues a registration code for a member of the group, shown once, with the reason in the audit row', async () => {
      const page = await browser.newPage();
      await page.goto(`${tessera.url}/console`);
      await page.getByLabel('E-mail address or IT code').fill('CORP\\alice');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('OTP code').fill(oathtool(aliceKey));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'IT support console' }).waitFor();
      assert.match((await page.textContent('header')) ?? '', /helpdesk for group Staff/);

      await page.getByLabel('Name, e-mail address or token serial').fill('CORP\\bob');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: 'bob' }).waitFor();
      await page.getByLabel('Reason for a registration code').fill('No SMS reaches the site; seen in person');
      await page.getByRole('button', { name: 'Issue a registration code' }).click();
      await page.getByRole('heading', { name: 'Registration code' }).waitFor();
      const code = (await page.locator('#registration-code').textContent()) ?? '';
      assert.match(code, /\S{6,}/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the code page');
      const row = (await tessera.audit.list({ action: 'helpdesk.registration_code', limit: 1 }))[0];
      assert.deepEqual(
        [row.actor, row.subject, row.details.reason],
        [ids.alice, ids.bob, 'No SMS reaches the site; seen in person'],
      );
      assert.ok(!JSON.stringify(row).includes(code.replaceAll('-', '')), 'the log keeps no code');

      // Zoë (staff) never signed in here: the directory knows her, so the search finds her and she gets a code.
      await page.goto(`${tessera.url}/console/person?q=${encodeURIComponent('zoë')}`);
      await page.getByRole('heading', { name: 'zoë' }).waitFor();
      await page.getByLabel('Reason for a registration code').fill('New starter, seen in person');
      await page.getByRole('button', { name: 'Issue a registration code' }).click();
      await page.getByRole('heading', { name: 'Registration code' }).waitFor();

      // The employee ID the directory holds finds the person too (bob is E1003).
      await page.goto(`${tessera.url}/console`);
      await page.getByLabel('Name, e-mail address or token serial').fill('E1003');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: 'bob' }).waitFor();
      await page.goto(`${tessera.url}/console/person?q=${encodeURIComponent('E1*')}`);
      assert.match((await page.locator('main').textContent()) ?? '', /No one matches what you searched for/);

      // Outside the group: the search finds nobody, and a hand-made post issues nothing.
      await page.goto(`${tessera.url}/console/person?q=victor`);
      assert.match((await page.locator('main').textContent()) ?? '', /No one matches what you searched for/);
      await page.goto(`${tessera.url}/console/person?q=bob`);
      const csrf = await page.locator('input[name="csrf"]').first().inputValue();
      const posted = await page.request.post(`${tessera.url}/console/person/registration-code`, {
        form: { csrf, q: 'victor', 'reason-code': 'trying' },
        maxRedirects: 0,
      });
      assert.equal(posted.status(), 404);
      const issued = await tessera.audit.list({ action: 'helpdesk.registration_code', limit: 5 });
      assert.ok(!issued.some((r) => r.subject === ids.victor), 'no code for a person outside the group');
      await page.close();
    });
  });
}
