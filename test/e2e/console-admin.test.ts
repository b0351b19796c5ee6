// The administrators' console pages in Chromium, on both databases, over a real directory (slapd): apps (add with
// the secret shown once, remove), VPN gateways (add, and a test Access-Request that really reaches Tessera's RADIUS
// port with the gateway's secret), OTP policies with go-live and grace, and the directory check. Each change asks for
// a reason and writes one audit row by the administrator; a helpdesk agent's hand-made posts change nothing; axe
// (WCAG 2.2 AA) on every page.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { launchBrowser, accessibilityViolations, wcag22 } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { testDialects } from '../support/databases.ts';
import { SAML, type SamlConfig } from '@node-saml/node-saml';

const radiusSecret = 'a-loopback-secret-of-32-characters';

for (const dialect of await testDialects()) {
  describe(`the administrators' console pages on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    let browser: Browser;
    let page: Page;
    const ids: Record<string, string> = {};
    const keys: Record<string, string> = {};
    const lastRow = async (action: string) => (await tessera.audit.list({ action, limit: 1 }))[0];
    const main = async () => (await page.locator('main').textContent()) ?? '';

    async function signIn(target: Page, name: string, password: string, key: string) {
      await target.goto(`${tessera.url}/console`);
      await target.getByLabel('E-mail address or IT code').fill(name);
      await target.getByLabel('Password').fill(password);
      await target.getByRole('button', { name: 'Sign in' }).click();
      await target.getByLabel('OTP code').fill(oathtool(key));
      await target.getByRole('button', { name: 'Continue' }).click();
      await target.getByRole('heading', { name: 'IT support console' }).waitFor();
    }

    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, {
        directory: fixtureConfig('openldap', [slapd.url]),
        radius: { port: 0, clients: [{ name: 'loopback', address: '127.0.0.1', secret: radiusSecret }] },
      });
      ids.alice = (await tessera.workforce!.signIn('alice', 'correct horse battery')).id;
      ids.bob = (await tessera.workforce!.signIn('bob', 'bob password 1')).id;
      keys.alice = await enrolMobileToken(tessera, ids.alice, 'alice');
      keys.bob = await enrolMobileToken(tessera, ids.bob, 'bob');
      const local = tessera.admin({ kind: 'local', actor: 'operator' });
      await local.roles.grant({ user: 'alice', role: 'admin' });
      await local.roles.grant({ user: 'bob', role: 'helpdesk' });
      browser = await launchBrowser();
      page = await browser.newPage();
      await signIn(page, 'alice', 'correct horse battery', keys.alice);
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
      await slapd?.close();
    });

    it('adds an app (its secret shown once, never logged) and removes it, each with a reason', async () => {
      await page.getByRole('link', { name: 'Apps (OpenID Connect)' }).click();
      await page.getByRole('heading', { name: 'Apps (OpenID Connect)' }).waitFor();
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the apps page');
      await page.getByLabel('Client ID').fill('crm');
      await page.getByLabel('Name people see').fill('CRM');
      await page.getByLabel('Redirect URIs').fill('javascript:alert(1)');
      await page.getByLabel('Reason for adding it').fill('Sales needs sign-in');
      await page.getByRole('button', { name: 'Add the app' }).click();
      await page.getByRole('alert').waitFor();
      assert.match(await main(), /The app is not valid/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the refused app');
      await page.getByLabel('Redirect URIs').fill('https://crm.example.test/cb');
      await page.getByRole('button', { name: 'Add the app' }).click();
      const secret = (await page.locator('#secret').textContent()) ?? '';
      assert.ok(secret.length >= 32);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the secret page');
      const added = await lastRow('client.add');
      assert.deepEqual([added.actor, added.subject, added.details.reason], [ids.alice, 'crm', 'Sales needs sign-in']);
      assert.ok(!JSON.stringify(await tessera.audit.list({ limit: 20 })).includes(secret), 'never in the log');

      await page.goto(`${tessera.url}/console/apps`);
      const crm = page.getByRole('row', { name: /crm/ });
      await crm.getByLabel('Reason for removing crm').fill('Replaced by the new CRM');
      await crm.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByText('App crm is removed').waitFor();
      assert.equal((await lastRow('client.remove')).details.reason, 'Replaced by the new CRM');
      assert.ok(!(await tessera.clients.list()).some((c) => c.client_id === 'crm'));
    });

    it('adds a SAML app from its metadata (written by node-saml) and removes it, each with a reason', async () => {
      const entityId = `https://wiki.example.test/${dialect}`;
      const sp = new SAML({
        callbackUrl: 'https://wiki.example.test/saml/acs',
        entryPoint: `${tessera.url}/saml/sso`,
        issuer: entityId,
        idpCert: 'unused',
      } as SamlConfig);
      const metadata = sp.generateServiceProviderMetadata(null, null);
      await page.getByRole('link', { name: 'Apps (SAML)' }).click();
      await page.getByRole('heading', { name: 'Apps (SAML)' }).waitFor();
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the SAML apps page');
      await page
        .getByLabel("The app's SAML metadata (XML)")
        .fill('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
      await page.getByLabel('Reason for adding it').fill('The wiki moves to SAML');
      await page.getByRole('button', { name: 'Add the SAML app' }).click();
      await page.getByRole('alert').waitFor();
      assert.match(await main(), /The SAML metadata cannot be used/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the refused metadata');
      await page.getByLabel("The app's SAML metadata (XML)").fill(metadata);
      await page.getByLabel('Name people see (optional)').fill('Wiki');
      await page.getByRole('button', { name: 'Add the SAML app' }).click();
      await page.getByText(`SAML app ${entityId} is added`).waitFor();
      const added = await lastRow('saml.sp.add');
      assert.deepEqual(
        [added.actor, added.subject, added.details.reason],
        [ids.alice, entityId, 'The wiki moves to SAML'],
      );
      const row = page.getByRole('row', { name: /wiki\.example/ });
      await row.getByLabel(`Reason for removing ${entityId}`).fill('Wiki retired');
      await row.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByText(`SAML app ${entityId} is removed`).waitFor();
      assert.equal((await lastRow('saml.sp.remove')).details.reason, 'Wiki retired');
    });

    it('sets an OTP policy with go-live and grace dates, refusing a bad date and a console below the code', async () => {
      await page.goto(`${tessera.url}/console/policies`);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the policies page');
      await page.getByLabel('App', { exact: true }).fill('radius:loopback');
      await page.getByLabel('One-time code').selectOption('required');
      await page.getByLabel('Go-live (UTC)').fill('1 March');
      await page.getByLabel('Reason for the change').fill('VPN needs the code from March');
      await page.getByRole('button', { name: 'Save the policy' }).click();
      await page.getByRole('alert').waitFor();
      assert.match(await main(), /Write the date as YYYY-MM-DD/);
      await page.getByLabel('Go-live (UTC)').fill('2026-03-01');
      await page.getByLabel('Grace days').fill('14');
      await page.getByLabel('For directory groups').fill('vendors=off');
      await page.getByRole('button', { name: 'Save the policy' }).click();
      await page.getByText('The policy of radius:loopback is saved').waitFor();
      assert.match(await main(), /radius:loopback\s*required\s*2026-03-01\s*14\s*vendors=off/);
      const row = await lastRow('policy.set');
      assert.deepEqual(
        [row.actor, row.subject, row.details.goLiveAt, row.details.graceSeconds, row.details.reason],
        [ids.alice, 'radius:loopback', Date.parse('2026-03-01T00:00:00Z'), 14 * 86400, 'VPN needs the code from March'],
      );
      await page.getByLabel('App', { exact: true }).fill('tessera-console');
      await page.getByLabel('One-time code').selectOption('optional');
      await page.getByLabel('Reason for the change').fill('trying');
      await page.getByRole('button', { name: 'Save the policy' }).click();
      await page.getByRole('alert').waitFor();
      assert.match(await main(), /cannot ask for less than the code/);
    });

    it("sends a real Access-Request with a gateway's secret and shows the answer; adds and removes a gateway", async () => {
      await page.goto(`${tessera.url}/console/gateways`);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the gateways page');
      const test = async (user: string, password: string) => {
        await page.goto(`${tessera.url}/console/gateways`);
        await page.getByText('Send a test Access-Request').first().click();
        await page.getByLabel('User name').first().fill(user);
        await page.getByLabel('Password (or password and code)').first().fill(password);
        await page.getByLabel('Reason for the test').first().fill('Gateway set-up');
        await page.getByRole('button', { name: 'Send', exact: true }).first().click();
        await page.getByRole('heading', { name: 'Send a test Access-Request' }).waitFor();
        return main();
      };
      assert.match(await test('bob', 'bob password 1'), /Answer: Access-Challenge/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the answer');
      assert.match(await test('bob', 'not it'), /Answer: Access-Reject.*Reply-Message: Your IT code or password/s);
      const row = await lastRow('radius.client.test');
      assert.deepEqual([row.actor, row.subject, row.details.answer], [ids.alice, 'loopback', 'Access-Reject']);
      assert.ok(!JSON.stringify(row).includes('not it'), 'never the password');

      await page.goto(`${tessera.url}/console/gateways`);
      await page.getByLabel('Name', { exact: true }).fill('branch');
      await page.getByLabel('Address (IP or network)').fill('10.9.0.1');
      await page.getByLabel('Reason for adding it').fill('New branch office');
      await page.getByRole('button', { name: 'Add the gateway' }).click();
      assert.ok(((await page.locator('#secret').textContent()) ?? '').length >= 16);
      assert.equal((await lastRow('radius.client.add')).details.reason, 'New branch office');
      // Tessera answers only the gateway's own address: from here the test gets no answer, and says why.
      await page.goto(`${tessera.url}/console/gateways`);
      const branch = page.getByRole('row', { name: /branch/ });
      await branch.getByText('Send a test Access-Request').click();
      await branch.getByLabel('User name').fill('bob');
      await branch.getByLabel('Password (or password and code)').fill('bob password 1');
      await branch.getByLabel('Reason for the test').fill('Branch set-up');
      await branch.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByText(/No answer came within 3 seconds.*10\.9\.0\.1/).waitFor();
      await page.goto(`${tessera.url}/console/gateways`);
      await page.getByLabel('Reason for removing branch').fill('Branch closed');
      await page
        .getByRole('row', { name: /branch/ })
        .getByRole('button', { name: 'Remove', exact: true })
        .click();
      await page.getByText('Gateway branch is removed').waitFor();
    });

    it('checks the directory connection as `directory check` does, and maps an entry', async () => {
      await page.goto(`${tessera.url}/console/directory`);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the directory page');
      await page.getByLabel('A sign-in name to look up (optional)').fill('bob');
      await page.getByRole('button', { name: 'Check the connection' }).click();
      await page.getByText(/The service account .* binds and searches/).waitFor();
      assert.match(await main(), /username\s*bob/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the report');
      const row = await lastRow('directory.check');
      assert.deepEqual([row.actor, row.outcome, row.details.user], [ids.alice, 'success', 'bob']);
    });

    it("refuses a helpdesk agent's pages and hand-made posts, and changes nothing", async () => {
      const agent = await browser.newPage();
      await signIn(agent, 'bob', 'bob password 1', keys.bob);
      assert.equal(await agent.getByRole('link', { name: 'OTP policies' }).count(), 0, 'no admin links');
      for (const path of ['apps', 'saml', 'gateways', 'policies']) {
        const response = await agent.goto(`${tessera.url}/console/${path}`);
        assert.equal(response?.status(), 403, path);
      }
      await agent.goto(`${tessera.url}/console`);
      const csrf = await agent.locator('input[name="csrf"]').first().inputValue();
      const posts: Array<[string, Record<string, string>]> = [
        ['saml/add', { metadata: '<x/>', reason: 'x' }],
        ['apps/add', { client_id: 'evil', client_name: 'Evil', redirect_uris: 'https://evil.test/cb', reason: 'x' }],
        ['gateways/add', { name: 'evil', address: '0.0.0.0/0', reason: 'x' }],
        ['gateways/test', { name: 'loopback', 'test-user-0': 'bob', 'test-password-0': 'x', reason: 'x' }],
        ['policies/set', { app: 'radius:loopback', otp: 'off', grace_days: '0', reason: 'x' }],
        ['directory', { user: 'bob' }],
      ];
      for (const [path, form] of posts) {
        const posted = await agent.request.post(`${tessera.url}/console/${path}`, {
          form: { csrf, ...form },
          maxRedirects: 0,
        });
        assert.equal(posted.status(), 403, path);
      }
      assert.ok(!(await tessera.clients.list()).some((c) => c.client_id === 'evil'));
      assert.equal((await tessera.policies.list()).find((p) => p.appId === 'radius:loopback')?.otp, 'required');
      const denied = await tessera.audit.list({ action: 'admin.denied', limit: 10 });
      assert.ok(denied.filter((r) => r.actor === ids.bob).length >= posts.length);
      await agent.close();
    });
  });
}
