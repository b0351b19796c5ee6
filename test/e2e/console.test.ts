// The IT support console in Chromium: a helpdesk agent limited to one directory group signs in with password and
// one-time code, finds a person of that group and unlocks their token with a reason (one audit row by the agent about
// the person), and can neither see nor touch a person outside the group, also by editing the URL or posting the form
// by hand. Every console page passes axe (WCAG 2.2 AA); the console session ends after its idle limit.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations, wcag22 } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import type { Operator } from '../../src/admin/index.ts';
import { radclient } from '../support/radclient.ts';
import { base32Encode } from '../../src/otp/index.ts';
import { rfcFigure3, vendorPskc } from '../support/pskc.ts';

const password = 'helpdesk passphrase';
const base32 = (bytes: Buffer) => base32Encode(bytes);
const radiusSecret = 'a-shared-secret-of-32-characters!';

for (const dialect of await testDialects()) {
  describe(`the IT support console on ${dialect}`, () => {
    let tessera: RunningTessera;
    let browser: Browser;
    let offsetMs = 0;
    const clock = { now: () => Date.now() + offsetMs };
    const local: Operator = { kind: 'local', actor: 'operator' };
    const serials = { ioana: `RO-${dialect}`, jonas: `DE-${dialect}`, spare: `SP-${dialect}`, spare2: `SQ-${dialect}` };
    let agentKey: string;
    let agentId: string;
    // One sign-in for the suite: each code is accepted once (RFC 6238 §5.2), so a second one could wait 30 s.
    let page: Page;

    async function staff(email: string, groups: string[]) {
      const account = await tessera.accounts.createByOperator({ email, password, workforce: true });
      await tessera.store.db
        .updateTable('accounts')
        .set({ groups: JSON.stringify(groups) })
        .where('id', '=', account.id)
        .execute();
      return account;
    }

    before(async () => {
      tessera = await startTessera(
        dialect,
        { radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret: radiusSecret }] } },
        { clock },
      );
      await tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      const admin = tessera.admin(local);
      const agent = await staff('agent@example.com', ['IT Support']);
      agentId = agent.id;
      agentKey = await enrolMobileToken(tessera, agent.id, 'agent@example.com');
      await admin.roles.grant({ user: 'agent@example.com', role: 'helpdesk', scope: 'Romania' });
      await staff('ioana@example.com', ['Staff', 'Romania']);
      await staff('jonas@example.com', ['Staff', 'Germany']);
      const seeds = Object.values(serials).map((s) => `${s},${randomBytes(20).toString('hex')}`);
      await admin.tokens.importSeedFile(seeds.join('\n'), 'hex');
      await admin.tokens.assign('ioana@example.com', serials.ioana);
      await admin.tokens.assign('jonas@example.com', serials.jonas);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
    });

    async function signIn(): Promise<Page> {
      page = await browser.newPage();
      await page.goto(`${tessera.url}/console`);
      await page.getByLabel('E-mail address').fill('agent@example.com');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('OTP code').fill(oathtool(agentKey));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'IT support console' }).waitFor();
      return page;
    }
    const tokenState = async (login: string) =>
      (await tessera.admin(local).tokens.list(login)).tokens.map((t) => t.state).join(',');

    it('signs an agent in with password and code; they find a person of their group and unlock a token with a reason', async () => {
      await signIn();
      assert.match((await page.textContent('header')) ?? '', /helpdesk for group Romania/);
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the search page');
      await page.getByLabel('Name, e-mail address or token serial').fill('IOANA@example.com');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: 'ioana@example.com' }).waitFor();
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the person page');
      await page.getByRole('button', { name: 'Unlock' }).click();
      // The browser asks for the reason first (required); a form posted without one is refused by the server too.
      assert.equal(
        await page
          .getByLabel(`Reason for unlocking ${serials.ioana}`)
          .evaluate((e) => (e as HTMLInputElement).validity.valid),
        false,
      );
      await page.getByLabel(`Reason for unlocking ${serials.ioana}`).fill('Caller verified by their manager');
      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByText(`Token ${serials.ioana} is unlocked`).waitFor();
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the person page with a notice');
      // A spare token from the stock, assigned by the serial printed on it.
      await page.getByLabel('Serial printed on the token').fill(serials.spare);
      await page.getByLabel('Reason for assigning it').fill('Replacement for a broken phone');
      await page.getByRole('button', { name: 'Assign the token' }).click();
      await page.getByText(`Token ${serials.spare} is assigned`).waitFor();
      assert.equal(await tokenState('ioana@example.com'), 'active,active');
      const row = (await tessera.audit.list({ action: 'helpdesk.otp_unlock', limit: 1 }))[0];
      const ioana = (await tessera.admin(local).people.find('ioana@example.com')).account.id;
      assert.deepEqual(
        [row.actor, row.subject, row.details.serial, row.details.reason],
        [agentId, ioana, serials.ioana, 'Caller verified by their manager'],
      );
    });

    it('answers about a person outside the group as about nobody: by search, by an edited URL, by a hand-made post', async () => {
      const nobody = await page.goto(`${tessera.url}/console/person?q=nobody%40example.com`);
      const nobodyText = await page.locator('main').textContent();
      for (const q of ['jonas@example.com', 'jonas', serials.jonas]) {
        const response = await page.goto(`${tessera.url}/console/person?q=${encodeURIComponent(q)}`);
        assert.equal(response?.status(), nobody?.status(), q);
        assert.equal(await page.locator('main').textContent(), nobodyText, q);
        assert.match(nobodyText!, /No one matches what you searched for/);
      }
      assert.deepEqual(await accessibilityViolations(page, wcag22), [], 'the not-found page');
      // The form of a person in the group, posted by hand for the token of one outside it.
      await page.goto(`${tessera.url}/console/person?q=ioana%40example.com`);
      const csrf = await page.locator('input[name="csrf"]').first().inputValue();
      for (const kind of ['unbind', 'unlock']) {
        const posted = await page.request.post(`${tessera.url}/console/person/${kind}`, {
          form: { csrf, q: 'ioana@example.com', serial: serials.jonas, reason: 'trying' },
          maxRedirects: 0,
        });
        assert.equal(posted.status(), 404, kind);
        assert.match(await posted.text(), /No token with that serial (belongs to anyone|is in use)/);
      }
      const assign = await page.request.post(`${tessera.url}/console/person/assign`, {
        form: { csrf, q: 'jonas@example.com', serial: serials.spare2, reason: 'trying' },
        maxRedirects: 0,
      });
      assert.equal(assign.status(), 404);
      assert.match(await assign.text(), /No one matches what you searched for/);
      assert.equal(await tokenState('jonas@example.com'), 'active', "jonas's token is untouched");
      const denied = await tessera.audit.list({ action: 'admin.denied', limit: 10 });
      const jonas = (await tessera.admin(local).people.find('jonas@example.com')).account.id;
      assert.ok(
        denied.some((r) => r.actor === agentId && r.subject === jonas),
        'the attempts are audited',
      );
      const noCsrf = await page.request.post(`${tessera.url}/console/person/unbind`, {
        form: { q: 'ioana@example.com', serial: serials.ioana, reason: 'no token' },
        maxRedirects: 0,
      });
      assert.equal(noCsrf.status(), 403);
      assert.equal(await tokenState('ioana@example.com'), 'active,active');
    });

    it('lets an auditor read and check the audit log, and change nothing: not by the pages, not by hand', async () => {
      const auditor = await staff('auditor@example.com', ['Compliance']);
      const key = await enrolMobileToken(tessera, auditor.id, 'auditor@example.com');
      await tessera.admin(local).roles.grant({ group: 'compliance', role: 'auditor' });
      const own = await browser.newPage();
      await own.goto(`${tessera.url}/console`);
      await own.getByLabel('E-mail address').fill('auditor@example.com');
      await own.getByLabel('Password').fill(password);
      await own.getByRole('button', { name: 'Sign in' }).click();
      await own.getByLabel('OTP code').fill(oathtool(key));
      await own.getByRole('button', { name: 'Continue' }).click();
      await own.getByRole('heading', { name: 'IT support console' }).waitFor();
      await own.getByRole('link', { name: 'Audit log' }).click();
      await own.getByRole('heading', { name: 'Audit log' }).waitFor();
      assert.deepEqual(await accessibilityViolations(own, wcag22), [], 'the audit page');
      await own.getByLabel('Action').fill('helpdesk.otp_unlock');
      await own.getByRole('button', { name: 'Find' }).click();
      assert.match((await own.locator('table').textContent()) ?? '', /Caller verified by their manager/);
      await own.getByRole('button', { name: 'Check the chain' }).click();
      await own.getByText(/The audit log is intact: [\d,]+ events/).waitFor();

      const person = await own.goto(`${tessera.url}/console/person?q=ioana%40example.com`);
      assert.equal(person?.status(), 403);
      assert.match((await own.locator('main').textContent()) ?? '', /Your role does not allow this/);
      await own.goto(`${tessera.url}/console/audit`);
      const csrf = await own.locator('input[name="csrf"]').first().inputValue();
      const before = await tessera.admin(local).tokens.list('ioana@example.com');
      for (const kind of ['unlock', 'unbind']) {
        const posted = await own.request.post(`${tessera.url}/console/person/${kind}`, {
          form: { csrf, q: 'ioana@example.com', serial: serials.ioana, reason: 'auditing' },
          maxRedirects: 0,
        });
        assert.equal(posted.status(), 403, kind);
      }
      assert.deepEqual(await tessera.admin(local).tokens.list('ioana@example.com'), before, 'nothing changed');
      await own.close();
    });

    it("lets an admin import a vendor's PSKC file and assign a token whose own code then opens the VPN", async () => {
      const admin = await staff('admin@example.com', ['IT']);
      const key = await enrolMobileToken(tessera, admin.id, 'admin@example.com');
      await tessera.admin(local).roles.grant({ user: 'admin@example.com', role: 'admin' });
      const own = await browser.newPage();
      await own.goto(`${tessera.url}/console`);
      await own.getByLabel('E-mail address').fill('admin@example.com');
      await own.getByLabel('Password').fill(password);
      await own.getByRole('button', { name: 'Sign in' }).click();
      await own.getByLabel('OTP code').fill(oathtool(key));
      await own.getByRole('button', { name: 'Continue' }).click();
      await own.getByRole('link', { name: 'Hardware token import' }).click();
      await own.getByRole('heading', { name: 'Hardware token import' }).waitFor();
      assert.deepEqual(await accessibilityViolations(own, wcag22), [], 'the import page');

      const upload = async (name: string, text: string, filePassword?: string) => {
        await own.goto(`${tessera.url}/console/tokens/import`);
        await own.getByLabel('Token file (PSKC or seed file)').setInputFiles({
          name,
          mimeType: 'application/pskc+xml',
          buffer: Buffer.from(text),
        });
        if (filePassword) await own.getByLabel('Password of the file').fill(filePassword);
        await own.getByRole('button', { name: 'Import' }).click();
        await own.getByRole('heading', { name: 'Hardware token import' }).waitFor();
        return (await own.locator('main').textContent()) ?? '';
      };
      const hostile = rfcFigure3.replace(
        '<KeyContainer',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><KeyContainer',
      );
      assert.match(await upload('xxe.pskc', hostile), /Nothing was imported:.*the file declares a DOCTYPE or ENTITY/s);
      const secret = randomBytes(20);
      const serial = `PSKC-${dialect}`;
      const file = vendorPskc([{ serial, secret, kind: 'totp' }], { kind: 'password', password: 'from the vendor' });
      assert.match(await upload('wrong.pskc', file, 'not it'), /the password or key is wrong/);
      assert.match(await upload('tokens.pskc', file, 'from the vendor'), /Imported 1 hardware token\./);
      assert.deepEqual(await accessibilityViolations(own, wcag22), [], 'the import result');

      // An administrator sees everyone: the token goes to jonas, outside the helpdesk agent's group.
      await own.goto(`${tessera.url}/console/person?q=jonas%40example.com`);
      await own.getByLabel('Serial printed on the token').fill(serial);
      await own.getByLabel('Reason for assigning it').fill('New hardware token');
      await own.getByRole('button', { name: 'Assign the token' }).click();
      await own.getByText(`Token ${serial} is assigned`).waitFor();
      const send = (secretText: string, extra: string[] = []) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret: radiusSecret,
          command: 'auth',
          attributes: [
            'User-Name = "jonas@example.com"',
            `User-Password = "${secretText}"`,
            'Message-Authenticator = 0x00',
            ...extra,
          ],
          timeoutSeconds: 5,
        });
      const challenge = await send(password);
      assert.equal(challenge.code, 'Access-Challenge');
      const state = challenge.attributes.find((a) => a.name === 'State')?.value;
      const code = oathtool(base32(secret));
      assert.equal((await send(code, [`State = ${state}`])).code, 'Access-Accept', "the token's own code");

      // The helpdesk agent's console has no import: the admin service refuses it.
      await page.goto(`${tessera.url}/console/tokens/import`);
      await page.getByLabel('Token file (PSKC or seed file)').setInputFiles({
        name: 'more.pskc',
        mimeType: 'application/pskc+xml',
        buffer: Buffer.from(vendorPskc([{ serial: `HD-${dialect}`, secret: randomBytes(20), kind: 'totp' }])),
      });
      await page.getByRole('button', { name: 'Import' }).click();
      assert.match((await page.locator('main').textContent()) ?? '', /Your role does not allow this/);
      await own.close();
    });

    it('sends the security headers, and ends the console session after 15 idle minutes', async () => {
      const response = await page.goto(`${tessera.url}/console`);
      const headers = response!.headers();
      assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(headers['x-content-type-options'], 'nosniff');
      const cookie = (await page.context().cookies()).find((c) => c.name === 'tessera_console');
      assert.deepEqual([cookie?.httpOnly, cookie?.sameSite, cookie?.path], [true, 'Strict', '/console']);
      offsetMs = 16 * 60 * 1000;
      try {
        const idle = await page.request.get(`${tessera.url}/console`, { maxRedirects: 0 });
        assert.deepEqual([idle.status(), idle.headers().location], [303, '/console/login']);
      } finally {
        offsetMs = 0;
      }
      const again = await page.request.get(`${tessera.url}/console`, { maxRedirects: 0 });
      assert.equal(again.status(), 303, 'the idle session is over: a new sign-in with password and code is needed');
      await page.close();
    });
  });
}
