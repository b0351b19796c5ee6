// The console's long lists in Chromium, on both databases: the people search and the audit log page with Next and
// Previous (keyset cursors), a page size asked for in the link (capped), cursors made by hand refused or kept to the
// agent's scope, and axe WCAG 2.2 AA on the paged pages. The agent is helpdesk for an OU (people are placed by their
// directory DN, one of them named to look as if they were in it) and auditor.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations, wcag22 } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import type { Operator } from '../../src/admin/index.ts';
import { createSqlIdentityStore } from '../../src/identity/index.ts';

const password = 'helpdesk passphrase';
const romania = 'ou=Romania,ou=people,dc=example,dc=org';
const perSide = 60;
const auditRows = 70;
const pad = (i: number) => String(i).padStart(3, '0');

for (const dialect of await testDialects()) {
  describe(`the console's paged lists on ${dialect}`, () => {
    let tessera: RunningTessera;
    let browser: Browser;
    let page: Page;
    const local: Operator = { kind: 'local', actor: 'operator' };

    /** A directory person as a sign-in would link them: name, address and the entry's DN. */
    async function person(username: string, dn: string) {
      await createSqlIdentityStore(tessera.store.db).upsertWorkforceAccount(
        {
          id: randomUUID(),
          kind: 'workforce',
          email: `${username}@corp.example`,
          emailVerified: true,
          directoryId: randomUUID(),
          directoryDn: dn,
          username,
          groups: ['Staff'],
          passwordHash: null,
          name: `Person ${username}`,
          status: 'active',
          createdAt: Date.now(),
        },
        Date.now(),
      );
    }

    before(async () => {
      tessera = await startTessera(dialect);
      const admin = tessera.admin(local);
      const agent = await tessera.accounts.createByOperator({ email: 'agent@example.com', password, workforce: true });
      const agentKey = await enrolMobileToken(tessera, agent.id, 'agent@example.com');
      await admin.roles.grant({ user: 'agent@example.com', role: 'helpdesk', scope: romania });
      await admin.roles.grant({ user: 'agent@example.com', role: 'auditor' });
      // In the list's order the people of the OU and the others alternate: p-000-de, p-000-ro, p-001-de, …
      for (let i = 0; i < perSide; i++) {
        await person(`p-${pad(i)}-ro`, `uid=p-${pad(i)}-ro,ou=Cluj,${romania}`);
        await person(`p-${pad(i)}-de`, `uid=p-${pad(i)}-de,ou=Germany,ou=people,dc=example,dc=org`);
      }
      await person('p-030-zz', `cn=x\\,${romania}`);
      for (let i = 0; i < auditRows; i++) {
        await tessera.audit.record({
          actor: 'test',
          action: 'test.paging',
          subject: null,
          outcome: 'success',
          details: { n: i },
        });
      }
      browser = await launchBrowser();
      page = await browser.newPage();
      await page.goto(`${tessera.url}/console`);
      await page.getByLabel('E-mail address').fill('agent@example.com');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('OTP code').fill(oathtool(agentKey));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'IT support console' }).waitFor();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
    });

    const logins = async () => (await page.locator('tbody th[scope="row"]').allTextContents()).map((s) => s.trim());

    it('pages through the people an OU agent may see, Next and Previous, never one outside the OU', async () => {
      assert.match((await page.textContent('header')) ?? '', new RegExp(`helpdesk for OU ${romania}`));
      await page.getByLabel('Name, e-mail address or token serial').fill('p-');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: 'People' }).waitFor();
      const first = await logins();
      assert.equal(first.length, 50);
      assert.deepEqual(first.slice(0, 3), ['p-000-ro', 'p-001-ro', 'p-002-ro']);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the first page of people');
      assert.equal(await page.getByRole('link', { name: 'Previous page' }).count(), 0);
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(/cursor=/);
      const second = await logins();
      assert.equal(second.length, perSide - 50);
      assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0, 'the last page');
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'a later page of people');
      const all = [...first, ...second];
      assert.deepEqual(
        all,
        Array.from({ length: perSide }, (_, i) => `p-${pad(i)}-ro`),
        'each person of the OU once, in order, nobody else',
      );
      await page.getByRole('link', { name: 'Previous page' }).click();
      assert.deepEqual(await logins(), first);

      // A smaller page asked for in the link, kept by the links; a page past the cap gets the cap.
      await page.goto(`${tessera.url}/console/people?q=p-&size=7`);
      const walked: string[] = [];
      for (;;) {
        const shown = await logins();
        assert.ok(shown.length <= 7);
        walked.push(...shown);
        const next = page.getByRole('link', { name: 'Next page' });
        if ((await next.count()) === 0) break;
        await next.click();
        await page.waitForLoadState();
      }
      assert.deepEqual(walked, all);
      await page.goto(`${tessera.url}/console/people?q=p-&size=100000`);
      assert.equal((await logins()).length, perSide);

      // A person named exactly opens their page; one outside the OU is nobody, also named exactly.
      await page.goto(`${tessera.url}/console/people?q=P-007-RO`);
      await page.getByRole('heading', { name: 'Person p-007-ro' }).waitFor();
      for (const q of ['p-007-de', 'p-030-zz']) {
        await page.goto(`${tessera.url}/console/people?q=${q}`);
        assert.match((await page.locator('main').textContent()) ?? '', /No one matches what you searched for/, q);
      }
    });

    it('refuses a cursor made by hand with a clear page, and keeps a well-formed one to the OU', async () => {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const [path, cursor] of [
        ['people?q=p-', 'garbage!'],
        ['people?q=p-', b64([1, 'next', 5, 'x'])],
        ['people?q=p-', 'A'.repeat(1500)],
        ['audit?action=test.paging', b64([1, 'next', -5, 3])],
        ['audit?action=test.paging', b64([1, 'prev', 1e308, 3])],
        ['audit?action=test.paging', Buffer.from('[1,"next",99999999999999999999,3]').toString('base64url')],
        ['audit?action=test.paging', `${b64([1, 'next', 5, 3])}%00`],
      ]) {
        const answer = await page.request.get(`${tessera.url}/console/${path}&cursor=${cursor}`);
        assert.ok(answer.status() === 400, `${path} ${cursor.slice(0, 30)}: ${answer.status()}`);
        assert.match(await answer.text(), /That page of the list does not exist|request/i);
      }
      // Cursors placed among the people outside the OU, either way: still only the OU's people.
      for (const key of ['p-010-de', 'p-030-zz', 'zzz', '']) {
        for (const toward of ['next', 'prev']) {
          await page.goto(`${tessera.url}/console/people?q=p-&cursor=${b64([1, toward, key, ''])}`);
          const shown = await logins();
          assert.ok(
            shown.every((l) => l.endsWith('-ro')),
            `${key} ${toward}: ${shown.join(',')}`,
          );
        }
      }
    });

    it('pages through the audit log with Next and Previous, newest first, none twice', async () => {
      await page.goto(`${tessera.url}/console/audit?action=test.paging`);
      const numbers = async () =>
        (await page.locator('tbody tr td:last-child').allTextContents()).map((s) => Number(s.replace(/\D/g, '')));
      const first = await numbers();
      assert.equal(first.length, 50);
      assert.equal(first[0], auditRows - 1, 'newest first');
      await page.getByRole('link', { name: 'Next page: older events' }).click();
      await page.waitForURL(/cursor=/);
      const second = await numbers();
      assert.deepEqual(
        second,
        Array.from({ length: auditRows - 50 }, (_, i) => auditRows - 51 - i),
      );
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'a later page of the audit log');
      await page.getByRole('link', { name: 'Previous page: newer events' }).click();
      assert.deepEqual(await numbers(), first);
      assert.equal(await page.getByRole('link', { name: 'Previous page' }).count(), 0, 'the newest page');
      await page.goto(`${tessera.url}/console/audit?action=test.paging&size=9`);
      assert.equal((await numbers()).length, 9);
      await page.getByRole('link', { name: 'Next page: older events' }).click();
      assert.deepEqual(
        await numbers(),
        Array.from({ length: 9 }, (_, i) => auditRows - 10 - i),
        'the size is kept',
      );
    });
  });
}
