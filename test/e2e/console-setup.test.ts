// The demo's first administrator, on both databases: each start makes sure admin@example.com holds the admin role and
// prints a one-time link (random, stored hashed, single use, expiring, replaced by the next start) until they have set
// up their account. In Chromium the link sets the password, the console's sign-in registers the authenticator app
// (QR code and first code) and lands in the console; the link then works no more, and no link is printed again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations, wcag22 } from '../support/browser.ts';
import { oathtool } from '../support/otp.ts';
import { firstAdministratorLink } from '../../src/serve.ts';

const newPassword = 'a console administrator passphrase';
const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

for (const dialect of await testDialects()) {
  describe(`the demo's first administrator on ${dialect}`, () => {
    let tessera: RunningTessera;
    let browser: Browser;
    let offsetMs = 0;
    const clock = { now: () => Date.now() + offsetMs };
    const setup = (token: string) => `${tessera.url}/console/setup?${new URLSearchParams({ token })}`;
    const post = (token: string, password = newPassword) =>
      fetch(`${tessera.url}/console/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, password }),
        redirect: 'manual',
      });

    before(async () => {
      tessera = await startTessera(dialect, {}, { clock });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
    });

    it('makes a link of 256 random bits, kept only hashed; a new start replaces it', async () => {
      const first = await firstAdministratorLink(tessera);
      assert.ok(first?.startsWith(`${tessera.url}/console/setup?token=`), first);
      const token = tokenOf(first ?? '');
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      const grants = await tessera.admin({ kind: 'local', actor: 'test' }).roles.list();
      assert.ok(grants.some((g) => g.granteeName === 'admin@example.com' && g.role === 'admin' && g.scope === null));
      const stored = JSON.stringify(await tessera.store.db.selectFrom('password_resets').selectAll().execute());
      const audited = JSON.stringify(await tessera.audit.list({ limit: 100 }));
      assert.ok(!stored.includes(token) && !audited.includes(token), 'the token is nowhere in the database');
      const again = await firstAdministratorLink(tessera);
      assert.notEqual(tokenOf(again ?? ''), token);
      const replaced = await fetch(setup(token));
      assert.equal(replaced.status, 410);
      assert.match(await replaced.text(), /This link has been used already/);
    });

    it('refuses an altered, expired or foreign link, and another account’s, each with a clear page', async () => {
      const token = tokenOf((await firstAdministratorLink(tessera)) ?? '');
      const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      for (const bad of [altered, token.slice(0, 20), '', 'x'.repeat(100), `${token}'--`]) {
        const answer = await fetch(setup(bad));
        assert.equal(answer.status, 404, bad);
        assert.match(await answer.text(), /This link is not valid/);
        assert.equal((await post(bad)).status, 404);
      }
      // Another account's link: an account without a console role cannot be set up by one.
      const local = tessera.admin({ kind: 'local', actor: 'test' });
      const other = await tessera.accounts.createByOperator({
        email: 'someone@example.com',
        password: 'someone else entirely here',
      });
      const othersLink = await tessera.setupLinks.issue(other.id, 3600);
      assert.equal((await fetch(setup(othersLink))).status, 404);
      assert.equal((await post(othersLink)).status, 404);
      // Expired: an hour and a second later.
      await local.addUser({ email: 'admin2@example.com', password: 'the second admin passphrase', workforce: true });
      await local.roles.grant({ user: 'admin2@example.com', role: 'admin' });
      const admin2 = (await tessera.accounts.findByLogin('admin2@example.com'))!;
      const late = await tessera.setupLinks.issue(admin2.id, 3600);
      offsetMs = 3601_000;
      try {
        const expired = await fetch(setup(late));
        assert.equal(expired.status, 410);
        assert.match(await expired.text(), /This link has expired/);
        assert.equal((await post(late)).status, 410);
      } finally {
        offsetMs = 0;
      }
    });

    it('sets the password for exactly one of 20 parallel uses of a link', async () => {
      const admin2 = (await tessera.accounts.findByLogin('admin2@example.com'))!;
      const token = await tessera.setupLinks.issue(admin2.id, 3600);
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(token)));
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [200, ...Array(19).fill(410)]);
      // A refused password costs no link: a fresh link, a short password, then the same link still works.
      const fresh = await tessera.setupLinks.issue(admin2.id, 3600);
      const short = await post(fresh, 'short');
      assert.equal(short.status, 400);
      assert.match(await short.text(), /at least 15/);
      assert.equal((await post(fresh)).status, 200);
    });

    it('opens the console in Chromium: password, authenticator app, console; then the link is spent', async () => {
      const link = await firstAdministratorLink(tessera);
      assert.ok(link);
      const page = await browser.newPage();
      await page.goto(link);
      await page.getByRole('heading', { name: 'Set up the administrator account' }).waitFor();
      assert.match((await page.locator('main').textContent()) ?? '', /sets up admin@example\.com/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the set-up page');
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByRole('link', { name: 'Sign in to the console' }).click();
      await page.getByLabel('E-mail address').fill('admin@example.com');
      await page.getByLabel('Password').fill(newPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Register your OTP app' }).waitFor();
      const key = ((await page.locator('#otp-key').textContent()) ?? '').replace(/\s/g, '');
      await page.getByLabel('OTP code').fill(oathtool(key));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'IT support console' }).waitFor();
      assert.match((await page.textContent('header')) ?? '', /admin for everyone/);

      const reused = await fetch(link);
      assert.equal(reused.status, 410);
      assert.match(await reused.text(), /This link has been used already/);
      assert.equal(await firstAdministratorLink(tessera), undefined, 'no link once the administrator is set up');
      const rows = await tessera.audit.list({ action: 'account.password_reset', limit: 5 });
      const admin = (await tessera.accounts.findByLogin('admin@example.com'))!;
      assert.ok(rows.some((r) => r.subject === admin.id));
    });
  });
}
