// The helpdesk's second round in Chromium, on both databases: an agent limited to one group resyncs a person's
// drifting token from two codes read out, sees where the person is signed in and signs them out everywhere, reads their
// refused logins a page at a time; each change one audit row by the agent with the reason. A person outside the group
// stays out of reach also by a form posted by hand. axe (WCAG 2.2 AA) on each page.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations, wcag22 } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import type { Operator } from '../../src/admin/index.ts';
import { base32Encode } from '../../src/otp/index.ts';

const password = 'helpdesk passphrase';
const step = 30_000;

for (const dialect of await testDialects()) {
  describe(`the helpdesk's resync, sessions and paged events on ${dialect}`, () => {
    let tessera: RunningTessera;
    let browser: Browser;
    let page: Page;
    const local: Operator = { kind: 'local', actor: 'operator' };
    const ioanaKey = randomBytes(20);
    const serials = { ioana: `RS-${dialect}`, jonas: `JS-${dialect}` };
    let agentKey: string;
    let agentId: string;
    let ioanaId: string;

    async function staff(email: string, groups: string[]) {
      const account = await tessera.accounts.createByOperator({ email, password, workforce: true });
      await tessera.store.db
        .updateTable('accounts')
        .set({ groups: JSON.stringify(groups) })
        .where('id', '=', account.id)
        .execute();
      return account;
    }

    async function signIn(target: Page, email: string, code: string) {
      await target.goto(`${tessera.url}/console`);
      await target.getByLabel('E-mail address').fill(email);
      await target.getByLabel('Password').fill(password);
      await target.getByRole('button', { name: 'Sign in' }).click();
      await target.getByLabel('OTP code').fill(code);
      await target.getByRole('button', { name: 'Continue' }).click();
    }

    before(async () => {
      tessera = await startTessera(dialect);
      const admin = tessera.admin(local);
      const agent = await staff('agent@example.com', ['IT Support']);
      agentId = agent.id;
      agentKey = await enrolMobileToken(tessera, agent.id, 'agent@example.com');
      await admin.roles.grant({ user: 'agent@example.com', role: 'helpdesk', scope: 'Romania' });
      ioanaId = (await staff('ioana@example.com', ['Staff', 'Romania'])).id;
      await staff('jonas@example.com', ['Staff', 'Germany']);
      const seeds = [`${serials.ioana},${ioanaKey.toString('hex')}`, `${serials.jonas},${'cd'.repeat(20)}`];
      await admin.tokens.importSeedFile(seeds.join('\n'), 'hex');
      await admin.tokens.assign('ioana@example.com', serials.ioana);
      await admin.tokens.assign('jonas@example.com', serials.jonas);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
    });

    const ioanaCode = (steps = 0) => oathtool(base32Encode(ioanaKey), Date.now() + steps * step);
    const lastRow = async (action: string) => (await tessera.audit.list({ action, limit: 1 }))[0];

    it("resyncs a person's drifting token from two codes read out; codes that do not follow each other are refused", async () => {
      // Ioana signs in (here through the console's own sign-in, which then tells her she has no role): one browser.
      const ioana = await browser.newPage();
      await signIn(ioana, 'ioana@example.com', ioanaCode());
      await ioana.getByText('Your account has no role in the console').waitFor();
      await ioana.close();

      page = await browser.newPage();
      await signIn(page, 'agent@example.com', oathtool(agentKey));
      await page.getByRole('heading', { name: 'IT support console' }).waitFor();
      await page.goto(`${tessera.url}/console/person?q=ioana%40example.com`);
      const signedIn = page.getByRole('region', { name: 'Signed in now' });
      assert.match((await signedIn.textContent()) ?? '', /tessera-console/);
      assert.match((await signedIn.textContent()) ?? '', /No VPN connection is open/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the person page');

      // The token's clock runs ten steps ahead. Two codes that do not follow each other: refused, said at the field.
      await page.getByLabel('First code').fill(ioanaCode(10));
      await page.getByLabel('The code after it').fill(ioanaCode(14));
      await page.getByLabel('Reason for resyncing it').fill('Codes refused since Monday');
      await page.getByRole('button', { name: 'Resync the token' }).click();
      await page.getByRole('alert').waitFor();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /do not follow each other/);
      assert.equal(await page.getByLabel('First code').getAttribute('aria-invalid'), 'true');
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the refused resync');
      assert.equal((await lastRow('helpdesk.otp_resync')).outcome, 'resync_failed');

      await page.getByLabel('First code').fill(ioanaCode(10));
      await page.getByLabel('The code after it').fill(ioanaCode(11));
      await page.getByLabel('Reason for resyncing it').fill('Codes refused since Monday');
      await page.getByRole('button', { name: 'Resync the token' }).click();
      await page.getByText(`Token ${serials.ioana} is in step again`).waitFor();
      const row = await lastRow('helpdesk.otp_resync');
      assert.deepEqual(
        [row.actor, row.subject, row.outcome, row.details.serial, row.details.reason],
        [agentId, ioanaId, 'success', serials.ioana, 'Codes refused since Monday'],
      );
      // Her token's next code now works where it did not before.
      await tessera.otp.validate(ioanaId, ioanaCode(12));
    });

    it('signs a person out everywhere with a reason; the form posted by hand for someone outside the group does nothing', async () => {
      await page.goto(`${tessera.url}/console/person?q=ioana%40example.com`);
      assert.equal((await tessera.sessions.list(ioanaId)).length, 1);
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      assert.equal(
        await page
          .getByLabel('Reason for signing them out everywhere')
          .evaluate((e) => (e as HTMLInputElement).validity.valid),
        false,
        'the browser asks for the reason first',
      );
      await page.getByLabel('Reason for signing them out everywhere').fill('Laptop stolen');
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByText('Signed out everywhere').waitFor();
      assert.match((await page.getByRole('region', { name: 'Signed in now' }).textContent()) ?? '', /No browser/);
      assert.deepEqual(await tessera.sessions.list(ioanaId), []);
      const row = await lastRow('helpdesk.sessions_end');
      assert.deepEqual([row.actor, row.subject, row.details.reason], [agentId, ioanaId, 'Laptop stolen']);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the person page with a notice');

      const csrf = await page.locator('input[name="csrf"]').first().inputValue();
      const ends = await page.request.post(`${tessera.url}/console/person/end-sessions`, {
        form: { csrf, q: 'jonas@example.com', reason: 'trying' },
        maxRedirects: 0,
      });
      assert.equal(ends.status(), 404);
      assert.match(await ends.text(), /No one matches what you searched for/);
      const resync = await page.request.post(`${tessera.url}/console/person/resync`, {
        form: {
          csrf,
          q: 'ioana@example.com',
          serial: serials.jonas,
          'resync-first': '1',
          'resync-second': '2',
          reason: 'x',
        },
        maxRedirects: 0,
      });
      assert.equal(resync.status(), 404);
      assert.match(await resync.text(), /No token with that serial is in use/);
      const noCsrf = await page.request.post(`${tessera.url}/console/person/end-sessions`, {
        form: { q: 'ioana@example.com', reason: 'no token' },
        maxRedirects: 0,
      });
      assert.equal(noCsrf.status(), 403);
      const sessionsEnded = await tessera.audit.list({ action: 'helpdesk.sessions_end', limit: 5 });
      assert.equal(sessionsEnded.length, 1, 'only the one the agent was allowed');
    });

    it("reads a person's refused VPN logins with their reasons a page at a time, newest first, none twice", async () => {
      for (let i = 1; i <= 70; i++) {
        await tessera.audit.record({
          actor: 'radius',
          action: 'radius.reject',
          subject: ioanaId,
          outcome: 'failure',
          details: { user: 'ioana', reason: `wrong_code_${i}` },
        });
      }
      await page.goto(`${tessera.url}/console/person?q=ioana%40example.com`);
      const events = page.getByRole('region', { name: 'Recent sign-ins, VPN logins and changes' });
      assert.match((await events.textContent()) ?? '', /radius\.reject.*failure.*reason=wrong_code_70/s);
      await page.getByRole('link', { name: 'Older events' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'a page of the audit log');
      const seqs = async () =>
        (await page.locator('tbody tr td:first-child').allTextContents()).map((s) => Number(s.trim()));
      const first = await seqs();
      await page.getByRole('link', { name: 'Older events' }).click();
      const second = await seqs();
      assert.equal(first.length, 50);
      assert.ok(second.length > 0);
      const all = [...first, ...second];
      assert.deepEqual(
        all,
        [...all].sort((a, b) => b - a),
        'newest first',
      );
      assert.equal(new Set(all).size, all.length, 'none twice');
      await page.getByRole('link', { name: 'Newest events' }).click();
      assert.match((await page.locator('table').textContent()) ?? '', /wrong_code_70/);
      const bad = await page.request.get(`${tessera.url}/console/audit?user=ioana%40example.com&before=0`);
      assert.equal(bad.status(), 400);
      assert.match(await bad.text(), /That page of the list does not exist/);
      const hostile = await page.request.get(
        `${tessera.url}/console/audit?user=ioana%40example.com&before=1%20or%201=1`,
      );
      assert.equal(hostile.status(), 400);
    });
  });
}
