// The one-time code in the OIDC sign-in: registration by QR in Chromium, step-up by app policy, go-live grace,
// acr_values and max_age, one code per SSO session, and the codes a person may get wrong.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations } from '../support/browser.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import type { DemoApp } from '../../examples/relying-party/index.ts';
import { startRegisteredDemoApp } from '../support/demo-stack.ts';

const password = 'employee passphrase';
const redirectUri = 'http://127.0.0.1:9/callback';

for (const dialect of await testDialects()) {
  describe(`one-time code at sign-in on ${dialect}`, () => {
    let tessera: RunningTessera;
    let browser: Browser;
    let shop: DemoApp;
    let portal: client.Configuration;
    let webmail: client.Configuration;
    before(async () => {
      tessera = await startTessera(dialect);
      shop = await startRegisteredDemoApp(tessera, 'shop', { first_party: true });
      await tessera.policies.save(
        { appId: 'demo-shop', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      for (const id of ['portal', 'webmail']) {
        const registered = await tessera.clients.add({
          client_id: id,
          client_name: id === 'portal' ? 'Intranet portal' : 'Webmail',
          redirect_uris: [redirectUri],
          first_party: true,
        });
        const config = await client.discovery(new URL(tessera.url), id, String(registered.client_secret), undefined, {
          execute: [client.allowInsecureRequests],
        });
        if (id === 'portal') portal = config;
        else webmail = config;
      }
      await tessera.policies.save(
        { appId: 'portal', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await shop?.close();
      await tessera?.stop();
    });

    it('registers the OTP app by QR during the first sign-in to an app that requires it, and the ID token says otp', async () => {
      const email = `qr-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const page = await browser.newPage();
      await page.goto(`${shop.url}/login`);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Register your OTP app' }).waitFor();
      assert.ok(await page.getByRole('img', { name: 'QR code to register your OTP app' }).isVisible());
      assert.deepEqual(await accessibilityViolations(page), []);
      const key = (await page.locator('#otp-key').textContent())!;

      await page.getByLabel('OTP code').fill('000000' === oathtool(key) ? '111111' : '000000');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('That code is not right').first().waitFor();
      assert.equal(await page.locator('#otp-key').textContent(), key, 'the same QR is shown again');

      await page.getByLabel('OTP code').fill(oathtool(key));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.toString().startsWith(shop.url));
      await page.getByText('Signed in as').waitFor();
      assert.match(await page.content(), /otp/);
      assert.match(await page.content(), /urn:tessera:mfa/);
      await page.close();
    });

    async function signIn(
      config: client.Configuration,
      email: string,
      agent = createAgent(),
      extra: Record<string, string> = {},
    ) {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...extra,
      });
      let step = await agent.follow(url.toString(), tessera.url);
      let page = await step.response.text();
      if (/Sign in/.test(page) && page.includes('name="password"')) {
        const response = await agent.postForm(`${step.url}/login`, {
          csrf: hiddenField(page, 'csrf'),
          email,
          password,
        });
        step = await agent.follow(new URL(response.headers.get('location')!, tessera.url).toString(), tessera.url);
        page = step.url.startsWith(redirectUri) ? '' : await step.response.text();
      }
      const exchange = async (url: string) =>
        client.authorizationCodeGrant(config, new URL(url), { pkceCodeVerifier: verifier });
      return { agent, step, page, exchange };
    }

    async function employeeWithToken(email: string) {
      await tessera.accounts.createByOperator({ email, password });
      const account = (
        await tessera.store.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()
      ).id;
      return await enrolMobileToken(tessera, account, email);
    }

    it('asks for the code after the password, tells wrong and used codes apart, and issues amr pwd+otp+mfa', async () => {
      const email = `code-${dialect}@example.com`;
      const key = await employeeWithToken(email);
      const { agent, step, page, exchange } = await signIn(portal, email);
      assert.match(page, /Enter your OTP code/);
      const csrf = hiddenField(page, 'csrf');
      const wrong = await agent.postForm(`${step.url}/otp`, { csrf, code: '12345' });
      assert.match(await wrong.text(), /Enter the 6 digits/);
      const replay = await agent.postForm(`${step.url}/otp`, { csrf, code: oathtool(key, Date.now() - 30_000) });
      assert.match(await replay.text(), /already used/);
      const ok = await agent.postForm(`${step.url}/otp`, { csrf, code: oathtool(key) });
      const done = await agent.follow(new URL(ok.headers.get('location')!, tessera.url).toString(), tessera.url);
      const claims = (await exchange(done.url)).claims()!;
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(claims.acr, 'urn:tessera:mfa');

      // One code per SSO session: the webmail (no policy) and the portal again get in without a prompt.
      const again = await signIn(portal, email, agent);
      assert.ok(again.step.url.startsWith(redirectUri), 'no second code in the same session');
      // max_age forces a fresh password and a fresh code.
      const fresh = await signIn(portal, email, agent, { max_age: '0' });
      assert.match(fresh.page, /Enter your OTP code/);
    });

    it('registers a new phone from the account page: the old one stops at once, and a mail says so', async () => {
      const email = `newphone-${dialect}@example.com`;
      const oldKey = await employeeWithToken(email);
      const { agent, step, page } = await signIn(portal, email);
      const ok = await agent.postForm(`${step.url}/otp`, { csrf: hiddenField(page, 'csrf'), code: oathtool(oldKey) });
      await agent.follow(new URL(ok.headers.get('location')!, tessera.url).toString(), tessera.url);
      const accountPage = await (await agent.request(`${tessera.url}/account`)).text();
      assert.match(accountPage, /OTP tokens/);
      const register = await agent.postForm(`${tessera.url}/account/otp/register`, {
        csrf: hiddenField(accountPage, 'csrf'),
      });
      const enrolPage = await register.text();
      assert.match(enrolPage, /Register your OTP app/);
      const newKey = enrolPage.match(/id="otp-key"[^>]*>([A-Z2-7 ]+)</)![1].replace(/ /g, '');
      const forged = await agent.postForm(`${tessera.url}/account/otp/confirm`, {
        csrf: 'forged',
        enrolment: hiddenField(enrolPage, 'enrolment'),
        code: oathtool(newKey),
      });
      assert.equal(forged.status, 403);
      const confirmed = await agent.postForm(`${tessera.url}/account/otp/confirm`, {
        csrf: hiddenField(enrolPage, 'csrf'),
        enrolment: hiddenField(enrolPage, 'enrolment'),
        code: oathtool(newKey),
      });
      assert.match(await confirmed.text(), /no longer work/);
      const account = (
        await tessera.store.db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()
      ).id;
      await assert.rejects(tessera.otp.validate(account, oathtool(oldKey, Date.now() + 30_000)), {
        code: 'otp.wrong_code',
      });
      const [notice] = await tessera.outbox.recent({ to: email });
      assert.match(notice.subject, /new OTP app was registered/);
    });

    it('needs no code where the policy is off, unless the app asks with acr_values', async () => {
      const email = `acr-${dialect}@example.com`;
      await employeeWithToken(email);
      const plain = await signIn(webmail, email);
      assert.ok(plain.step.url.startsWith(redirectUri));
      assert.deepEqual((await plain.exchange(plain.step.url)).claims()!.amr, ['pwd']);
      const stepUp = await signIn(webmail, email, plain.agent, { acr_values: 'urn:tessera:mfa' });
      assert.match(stepUp.page, /Enter your OTP code/);
    });

    it('before go-live invites people without a token to register but lets them in; after go-live it does not', async () => {
      const email = `grace-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      await tessera.policies.save(
        {
          appId: 'webmail',
          otp: 'required',
          goLiveAt: Date.now() + 3 * 86_400_000,
          graceSeconds: 14 * 86_400,
          groupOverrides: {},
        },
        0,
      );
      const invited = await signIn(webmail, email);
      assert.match(invited.page, /will soon need a one-time code/);
      const later = await invited.agent.postForm(`${invited.step.url}/otp-later`, {
        csrf: hiddenField(invited.page, 'csrf'),
      });
      const done = await invited.agent.follow(
        new URL(later.headers.get('location')!, tessera.url).toString(),
        tessera.url,
      );
      assert.deepEqual((await invited.exchange(done.url)).claims()!.amr, ['pwd']);

      await tessera.policies.save(
        { appId: 'webmail', otp: 'required', goLiveAt: Date.now() - 1000, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      const blocked = await signIn(webmail, email);
      assert.match(blocked.page, /needs a one-time code from now on/);
      assert.doesNotMatch(blocked.page, /Remind me later/);
      const skip = await blocked.agent.postForm(`${blocked.step.url}/otp-later`, {
        csrf: hiddenField(blocked.page, 'csrf'),
      });
      assert.equal(skip.status, 400, 'no way around it after go-live');
      await tessera.policies.save(
        { appId: 'webmail', otp: 'off', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
    });
  });
}
