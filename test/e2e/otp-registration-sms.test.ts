// Registration by SMS as the FAQ describes it, in Chromium, against a real slapd and an SMS centre speaking SMPP 3.4
// (the npm smpp library's server side): the code is read from what the SMS centre received. Then the new app's
// codes (oathtool) open the VPN (radclient, RADIUS) and an OIDC app. With the SMPP link down, the SMS is queued and
// the page says it may be late; once the link is back it arrives and the registration goes on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { freePort, startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startSmsc, type Smsc } from '../support/smsc.ts';
import { oathtool } from '../support/otp.ts';
import { radclient } from '../support/radclient.ts';
import { authorize, registerApp, testRedirectUri } from '../support/oidc.ts';

const secret = 'a-radius-secret-of-32-characters';
const smppAccount = { systemId: 'tessera', password: 'secret1', sourceAddr: 'Tessera' };
const people = {
  alice: { name: 'alice', password: 'correct horse battery', employeeId: 'E1001', msisdn: '40721234567' },
  zoe: { name: 'zoë', password: 'pässwörd ünïcödé', employeeId: 'E1002', msisdn: '40722000111' },
};
type Person = (typeof people)[keyof typeof people];

const smsCode = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? assert.fail(`no code in "${text}"`);

for (const dialect of await testDialects()) {
  describe(`OTP registration by SMS (SMPP) on ${dialect}`, () => {
    let slapd: Slapd;
    let smsc: Smsc;
    let tessera: RunningTessera;
    let browser: Browser;
    let portal: client.Configuration;
    let smscPort: number;
    before(async () => {
      slapd = await startSlapd();
      smscPort = await freePort();
      tessera = await startTessera(dialect, {
        directory: { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' },
        sms: { provider: 'smpp', smpp: { url: `smpp://127.0.0.1:${smscPort}`, ...smppAccount }, pollMs: 50 },
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
      });
      for (const appId of ['radius:vpn', 'portal'])
        await tessera.policies.save({ appId, otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} }, 0);
      portal = await registerApp(tessera, 'portal');
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
      await smsc?.close();
      await slapd?.close();
    });

    async function upToCode(person: Person): Promise<Page> {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${tessera.url}/otp/register`);
      await page.getByLabel('IT code').fill(person.name);
      await page.getByLabel('Password').fill(person.password);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Employee ID').fill(person.employeeId);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('SMS code or registration code').waitFor();
      return page;
    }

    /** The SMS code typed, the QR page's key confirmed with the previous step's code (so the current one is unused). */
    async function finish(page: Page, code: string): Promise<string> {
      await page.getByLabel('SMS code or registration code').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      const key = (await page.locator('#otp-key').textContent({ timeout: 10_000 }))!.replace(/\s/g, '');
      const leftInStep = 30_000 - (Date.now() % 30_000);
      if (leftInStep < 3_000) await new Promise((resolve) => setTimeout(resolve, leftInStep + 100));
      await page.getByLabel('OTP code').fill(oathtool(key, Date.now() - 30_000));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Your OTP app is registered' }).waitFor();
      return key;
    }

    it('queues the SMS while the SMPP link is down, tells the person it may be late, and sends it once it is back', async () => {
      const page = await upToCode(people.zoe);
      // Reloading the page shows how the SMS is doing: after a failed try, "may be late … ask IT support".
      const until = Date.now() + 10_000;
      while ((await page.locator('#sms-state').getAttribute('data-sms')) !== 'late' && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await page.reload();
      }
      const state = (await page.locator('#sms-state').textContent()) ?? '';
      assert.match(state, /\+40•+111 is on its way but may be late/);
      assert.match(state, /ask your local IT support team for a registration code/);
      assert.deepEqual(await accessibilityViolations(page), []);

      smsc = await startSmsc({ port: smscPort, ...smppAccount });
      const sms = await smsc.waitFor((s) => s.to === people.zoe.msisdn, 20_000);
      assert.equal(sms.from, 'Tessera');
      assert.match(sms.text, /^Your Tessera registration code is \d{6}\. It expires in 10 minutes\./);
      await finish(page, smsCode(sms.text));
    });

    it('registers by SMS; the new app then opens the VPN (radclient) and an OIDC app (oathtool codes)', async () => {
      smsc ??= await startSmsc({ port: smscPort, ...smppAccount });
      const login = (password: string, extra: string[] = []) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [
            'User-Name = "alice"',
            `User-Password = "${password}"`,
            'Message-Authenticator = 0x00',
            ...extra,
          ],
        });
      // Without an app, the VPN says where to register one.
      const first = await login(people.alice.password);
      assert.equal(first.code, 'Access-Reject');
      assert.equal(
        first.attributes.find((a) => a.name === 'Reply-Message')?.value,
        `You need an OTP app first: register it at ${tessera.url}/otp/register, then log in again.`,
      );

      const page = await upToCode(people.alice);
      assert.match(
        (await page.locator('#sms-state').textContent()) ?? '',
        /We sent a 6-digit verification code by SMS to your mobile number \+40•+567/,
      );
      const sms = await smsc.waitFor((s) => s.to === people.alice.msisdn);
      const key = await finish(page, smsCode(sms.text));

      // The VPN: password, then the "second password" challenge answered with the app's current code.
      const challenge = await login(people.alice.password);
      assert.equal(challenge.code, 'Access-Challenge', challenge.stdout);
      const state = challenge.attributes.find((a) => a.name === 'State')!.value;
      const accepted = await login(oathtool(key), [`State = ${state}`]);
      assert.equal(accepted.code, 'Access-Accept', accepted.stdout);

      // An OIDC app that asks for the code: the next step's code (the current one opened the VPN).
      const signIn = await authorize(tessera, portal, { email: 'alice', password: people.alice.password });
      assert.match(signIn.page, /name="code"/, 'the portal asks for the OTP code');
      assert.match(signIn.page, /<a href="\/otp\/register">New or lost phone\? Register your OTP app again<\/a>/);
      const done = await signIn.submit('otp', { code: oathtool(key, Date.now() + 30_000) });
      assert.ok(done.url.startsWith(testRedirectUri), done.page);
      const tokens = await signIn.exchange(done.url);
      assert.equal(tokens.claims()!.acr, 'urn:tessera:mfa');
    });
  });
}
