// Issue 22 for the workforce, in Chromium against slapd and an SMPP SMS centre: OTP registration at /otp/register
// in Romanian (the browser asks for it), every page passing WCAG 2.2 AA; the SMS is Romanian; the account then says
// `ro`, so the VPN's RADIUS challenge (radclient) and its refusals are Romanian too. An English browser gets English.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { freePort, startTessera, type RunningTessera } from '../support/tessera.ts';
import { fixtureConfig, startSlapd, type Slapd } from '../support/slapd.ts';
import { accessibilityViolations, launchBrowser, wcag22 } from '../support/browser.ts';
import { startSmsc, type Smsc } from '../support/smsc.ts';
import { oathtool } from '../support/otp.ts';
import { radclient } from '../support/radclient.ts';

const secret = 'a-radius-secret-of-32-characters';
const smppAccount = { systemId: 'tessera', password: 'secret1', sourceAddr: 'Tessera' };
const alice = { name: 'alice', password: 'correct horse battery', employeeId: 'E1001', msisdn: '40721234567' };

async function assertAccessible(page: Page, what: string) {
  assert.deepEqual(await accessibilityViolations(page, wcag22), [], what);
}

for (const dialect of await testDialects()) {
  describe(`OTP registration and the VPN in Romanian on ${dialect}`, () => {
    let slapd: Slapd;
    let smsc: Smsc;
    let tessera: RunningTessera;
    let browser: Browser;
    before(async () => {
      slapd = await startSlapd();
      const smscPort = await freePort();
      smsc = await startSmsc({ port: smscPort, ...smppAccount });
      tessera = await startTessera(dialect, {
        directory: { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' },
        sms: { provider: 'smpp', smpp: { url: `smpp://127.0.0.1:${smscPort}`, ...smppAccount }, pollMs: 50 },
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
      });
      await tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
      await smsc?.close();
      await slapd?.close();
    });

    const login = (password: string, extra: string[] = []) =>
      radclient({
        port: tessera.radiusAddress()!.port,
        secret,
        command: 'auth',
        attributes: ['User-Name = "alice"', `User-Password = "${password}"`, 'Message-Authenticator = 0x00', ...extra],
      });
    const replyMessage = (reply: { attributes: Array<{ name: string; value: string }> }) =>
      reply.attributes.find((a) => a.name === 'Reply-Message')?.value;

    it('registers in Romanian with a Romanian SMS, and the VPN then speaks Romanian to that person', async () => {
      // Before any page was used, the account has no language: the VPN answers in the default, English.
      assert.match(replyMessage(await login(alice.password)) ?? '', /^You need an OTP app first/);

      const page = await (await browser.newContext({ locale: 'ro-RO' })).newPage();
      await page.goto(`${tessera.url}/otp/register`);
      assert.equal(await page.getAttribute('html', 'lang'), 'ro');
      await page.getByRole('heading', { name: 'Înregistrați aplicația OTP' }).waitFor();
      await assertAccessible(page, 'registration: IT code and password');
      await page.getByLabel('Codul IT').fill(alice.name);
      await page.getByLabel('Parola').fill('not the password');
      await page.getByRole('button', { name: 'Continuați' }).click();
      await page.getByRole('alert').waitFor();
      await assertAccessible(page, 'registration: wrong password');
      await page.getByLabel('Codul IT').fill(alice.name);
      await page.getByLabel('Parola').fill(alice.password);
      await page.getByRole('button', { name: 'Continuați' }).click();
      await page.getByLabel('ID de angajat').waitFor();
      await assertAccessible(page, 'registration: employee ID');
      await page.getByLabel('ID de angajat').fill('E0000');
      await page.getByRole('button', { name: 'Continuați' }).click();
      await page.getByRole('alert').waitFor();
      await assertAccessible(page, 'registration: wrong employee ID');
      await page.getByLabel('ID de angajat').fill(alice.employeeId);
      await page.getByRole('button', { name: 'Continuați' }).click();
      const codeField = page.getByLabel('Codul din SMS sau codul de înregistrare');
      await codeField.waitFor();
      assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
      await assertAccessible(page, 'registration: SMS code');

      const sms = await smsc.waitFor((s) => s.to === alice.msisdn, 20_000);
      assert.match(
        sms.text,
        /^Codul dumneavoastră de înregistrare Tessera este \d{6}\. Expiră în 10 minute\. Nu îl dați nimănui\.$/,
      );
      await codeField.fill(/\b(\d{6})\b/.exec(sms.text)![1]);
      await page.getByRole('button', { name: 'Continuați' }).click();
      const key = (await page.locator('#otp-key').textContent({ timeout: 10_000 }))!.replace(/\s/g, '');
      await assertAccessible(page, 'registration: QR code');
      const leftInStep = 30_000 - (Date.now() % 30_000);
      if (leftInStep < 3_000) await new Promise((resolve) => setTimeout(resolve, leftInStep + 100));
      await page.getByLabel('Codul OTP').fill(oathtool(key, Date.now() - 30_000));
      await page.getByRole('button', { name: 'Continuați' }).click();
      await page.getByRole('heading', { name: 'Aplicația OTP este înregistrată' }).waitFor();
      await assertAccessible(page, 'registration: done');

      const row = await tessera.store.db
        .selectFrom('accounts')
        .select('locale')
        .where('username', '=', 'alice')
        .executeTakeFirstOrThrow();
      assert.equal(row.locale, 'ro');

      // The VPN: the challenge and a wrong code's refusal, in Romanian.
      const challenge = await login(alice.password);
      assert.equal(challenge.code, 'Access-Challenge', challenge.stdout);
      assert.equal(replyMessage(challenge), 'Introduceți a doua parolă: codul OTP din 6 cifre din aplicația OTP.');
      const state = challenge.attributes.find((a) => a.name === 'State')!.value;
      const current = oathtool(key);
      const wrong = await login(current === '000000' ? '111111' : '000000', [`State = ${state}`]);
      assert.equal(wrong.code, 'Access-Reject');
      assert.equal(replyMessage(wrong), 'Codul OTP nu este corect. Așteptați codul următor și încercați din nou.');
    });
  });
}
