// OTP registration as the FAQ describes it, in Chromium against a real slapd: IT code and password, employee ID, and
// (when the SMS does not come) the registration code the helpdesk issues with `tessera otp registration-code`; then
// the QR code's key in oathtool confirms the new app, and only the last registered app is valid.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { createAgent, hiddenField, startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import { oathtool } from '../support/otp.ts';

const alice = { name: 'alice', password: 'correct horse battery', employeeId: 'E1001' };
// No mobile number in the directory, and never signed in here before the helpdesk names him.
const bob = { name: 'bob', password: 'bob password 1', employeeId: 'E1003' };

/** Waits, when the current 30-second step is about to end, so a code typed now is still good when it arrives. */
async function freshStep() {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 3_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

for (const dialect of await testDialects()) {
  describe(`OTP registration by helpdesk code on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    let browser: Browser;
    let cliEnv: Record<string, string | undefined>;
    before(async () => {
      slapd = await startSlapd();
      const directory = { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' };
      tessera = await startTessera(dialect, { directory });
      browser = await launchBrowser();
      // The helpdesk's CLI runs in another process, on the same database, with the same directory configuration.
      const file = join(mkdtempSync(join(tmpdir(), 'tessera-reg-')), 'tessera.config.json');
      writeFileSync(file, JSON.stringify({ directory }));
      cliEnv = { ...operatorEnvironment(tessera), TESSERA_CONFIG: file };
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
      await slapd?.close();
    });

    const helpdeskCode = async (user: string) => {
      const result = await runCli(['otp', 'registration-code', '--user', user], cliEnv);
      assert.equal(result.code, 0, result.stderr);
      const code = /registration code for \S+: ([A-Z0-9-]{19})/.exec(result.stdout)?.[1];
      assert.ok(code, result.stdout);
      return code;
    };

    /** The person's side up to the code step, in a fresh browser context. */
    async function upToCode(person = alice): Promise<Page> {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${tessera.url}/otp/register`);
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByLabel('IT code').fill(person.name);
      await page.getByLabel('Password').fill(person.password);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Employee ID').waitFor();
      // Typed as people type it: lower case, spaces around. The directory compares it without either.
      await page.getByLabel('Employee ID').fill(`  ${person.employeeId.toLowerCase()} `);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('SMS code or registration code').waitFor();
      return page;
    }

    /** The code step passed with `code`, the QR page's key read and confirmed with oathtool; the done page's text. */
    async function finish(page: Page, code: string): Promise<{ key: string; done: string }> {
      await page.getByLabel('SMS code or registration code').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      const key = (await page.locator('#otp-key').textContent({ timeout: 10_000 }))!.replace(/\s/g, '');
      assert.deepEqual(await accessibilityViolations(page), []);
      await freshStep();
      await page.getByLabel('OTP code').fill(oathtool(key));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Your OTP app is registered' }).waitFor();
      return { key, done: (await page.locator('main').textContent()) ?? '' };
    }

    it('registers the phone app with the directory password, the employee ID and a helpdesk code', async () => {
      const page = await upToCode();
      // No SMS gateway here: the page sends the person to the local IT support team.
      assert.match((await page.locator('#sms-state').textContent()) ?? '', /IT support team for a registration code/);
      const code = await helpdeskCode('alice');
      const { key, done } = await finish(page, code);
      assert.doesNotMatch(done, /no longer works/, 'a first registration replaces nothing');
      const account = (await tessera.accounts.findByLogin('alice'))!;
      const [token] = (await tessera.otp.list(account.id)).filter((t) => t.state === 'active');
      assert.ok(token, 'an active token');
      // The code the app shows next is accepted wherever codes are asked for.
      await freshStep();
      const accepted = await tessera.otp.validate(account.id, oathtool(key, Date.now() + 30_000), {
        atMs: Date.now() + 30_000,
      });
      assert.equal(accepted.serial, token.serial);

      // The same helpdesk code a second time, in a new registration: refused, and the flow stays at its code step.
      const again = await upToCode();
      await again.getByLabel('SMS code or registration code').fill(code);
      await again.getByRole('button', { name: 'Continue' }).click();
      await again.getByText('That code is not right, or it has expired or been used').first().waitFor();

      // With a new code, the second registration replaces the first app: its codes stop working at once.
      const second = await finish(again, await helpdeskCode('alice'));
      assert.match(second.done, new RegExp(`earlier app \\(${token.serial}\\) no longer works`));
      await assert.rejects(
        tessera.otp.validate(account.id, oathtool(key, Date.now() + 60_000), { atMs: Date.now() + 60_000 }),
        { code: 'otp.wrong_code' },
      );
      // The person hears of it by mail too: a registration they did not make is how they learn of a stolen password.
      const mails = await tessera.outbox.recent({ to: 'alice@example.org' });
      assert.ok(
        mails.some((m) => m.text.includes(token.serial)),
        mails.map((m) => m.subject).join(', '),
      );
      const events = await tessera.audit.list({ who: { name: 'alice', accountId: account.id }, limit: 200 });
      const issued = events.filter((e) => e.action === 'helpdesk.registration_code');
      assert.equal(issued.length, 2);
      assert.equal(issued[0].actor, 'operator');
      assert.ok(!JSON.stringify(events).includes(code), 'the code itself is never audited');
    });

    it('issues a code for a person who never signed in here, who then registers with it', async () => {
      assert.equal(await tessera.accounts.findByLogin('bob'), undefined, 'bob is known to the directory only');
      const code = await helpdeskCode('CORP\\Bob');
      const page = await upToCode(bob);
      assert.match((await page.locator('#sms-state').textContent()) ?? '', /IT support team for a registration code/);
      await finish(page, code);
      const account = (await tessera.accounts.findByLogin('bob'))!;
      assert.equal(account.kind, 'workforce');
      assert.equal((await tessera.otp.list(account.id)).filter((t) => t.state === 'active').length, 1);

      // His account page (the account site asks for the password only, as its default policy says) shows where to
      // register a new or lost phone.
      const account2 = await (await browser.newContext()).newPage();
      await account2.goto(`${tessera.url}/account/login`);
      await account2.getByLabel('E-mail address').fill(bob.name);
      await account2.getByLabel('Password').fill(bob.password);
      await account2.getByRole('button', { name: 'Sign in' }).click();
      await account2.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
      const again = account2.getByRole('link', { name: 'New or lost phone? Register your OTP app again' });
      assert.equal(await again.getAttribute('href'), '/otp/register');
    });

    it('tells the helpdesk clearly when no code can be issued', async () => {
      const unknown = await runCli(['otp', 'registration-code', '--user', 'nobody-at-all'], cliEnv);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no account matches nobody-at-all/);
      await tessera.accounts.createByOperator({ email: 'shopper@example.com', password: 'a customer passphrase' });
      const customer = await runCli(['otp', 'registration-code', '--user', 'shopper@example.com'], cliEnv);
      assert.equal(customer.code, 1);
      assert.match(customer.stderr, /Registration codes are for directory accounts/);
      const noDirectory = await runCli(['otp', 'registration-code', '--user', 'alice'], operatorEnvironment(tessera));
      assert.equal(noDirectory.code, 1);
      assert.match(noDirectory.stderr, /no directory is configured/);
    });
  });

  describe(`OTP registration in the demo on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, {
        demo: true,
        directory: { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' },
      });
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    it('shows the SMS on the local mailbox page, as it does mail', async () => {
      const agent = createAgent();
      let page = await (await agent.request(`${tessera.url}/otp/register`)).text();
      const post = async (path: string, fields: Record<string, string>) => {
        const response = await agent.postForm(`${tessera.url}/otp/register${path}`, {
          csrf: hiddenField(page, 'csrf'),
          ...fields,
        });
        page = await (await agent.request(new URL(response.headers.get('location')!, tessera.url).toString())).text();
      };
      await post('', { name: 'zoë', password: 'pässwörd ünïcödé' });
      await post('/employee-id', { employee_id: 'E1002' });
      assert.match(page, /We sent a 6-digit verification code by SMS/);
      const mailbox = await (await agent.request(`${tessera.url}/dev/mailbox`)).text();
      assert.match(mailbox, /<h2[^>]*>SMS<\/h2><p class="hint">To \+40722000111/);
      const code = /registration code is (\d{6})/.exec(mailbox)![1];
      await post('/code', { code });
      assert.match(page, /id="otp-key"/);
    });
  });
}
