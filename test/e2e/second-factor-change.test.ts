// A second factor changes only with a factor as strong (T44): the password alone neither replaces a person's OTP app
// nor counts as signed in where the code was asked for, and "Remind me later" never skips a code that was asked for.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as client from 'openid-client';
import { testDialects } from '../support/databases.ts';
import { startTessera, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { authorize, registerApp, testRedirectUri } from '../support/oidc.ts';

const password = 'an employee passphrase';

for (const dialect of await testDialects()) {
  describe(`changing a second factor on ${dialect}`, () => {
    let tessera: RunningTessera;
    let portal: client.Configuration;
    let webmail: client.Configuration;
    let wiki: client.Configuration;
    before(async () => {
      tessera = await startTessera(dialect);
      [portal, webmail, wiki] = await Promise.all([
        registerApp(tessera, 'portal'),
        registerApp(tessera, 'webmail'),
        registerApp(tessera, 'wiki'),
      ]);
      await tessera.policies.save(
        { appId: 'portal', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      // The wiki is in its grace period: people without a token are invited to register, and may put it off.
      await tessera.policies.save(
        {
          appId: 'wiki',
          otp: 'required',
          goLiveAt: Date.now() + 86_400_000,
          graceSeconds: 7 * 86_400,
          groupOverrides: {},
        },
        0,
      );
    });
    after(async () => {
      await tessera?.stop();
    });

    async function staff(name: string, withToken: boolean) {
      const email = `${name}-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email, password, workforce: true });
      const key = withToken ? await enrolMobileToken(tessera, account.id, email) : undefined;
      return { email, id: account.id, key };
    }

    it('does not let the password alone replace the OTP app on the account page: it asks for a code from the current one', async () => {
      const victim = await staff('victim', true);
      // The attacker has the password only: a sign-in at an app that asks for no code, then the account page.
      const plain = await authorize(tessera, webmail, { email: victim.email, password });
      assert.ok(plain.step.url.startsWith(testRedirectUri), 'signed in at the webmail with the password');
      const accountPage = await (await plain.agent.request(`${tessera.url}/account`)).text();
      const register = await plain.agent.postForm(`${tessera.url}/account/otp/register`, {
        csrf: hiddenField(accountPage, 'csrf'),
      });
      assert.equal(register.status, 303);
      assert.equal(register.headers.get('location'), '/account/reauthenticate-code');
      assert.doesNotMatch(await register.text(), /otp-key|otpauth/, 'no new secret is shown');
      // That sign-in asks for the password and then a code from the current app: the password alone stops there.
      const again = await plain.agent.follow(`${tessera.url}/account/reauthenticate-code`, tessera.url);
      const signInPage = await again.response.text();
      const afterPassword = await plain.agent.postForm(`${again.url}/login`, {
        csrf: hiddenField(signInPage, 'csrf'),
        email: victim.email,
        password,
      });
      const codePage = await (
        await plain.agent.follow(new URL(afterPassword.headers.get('location')!, tessera.url).toString(), tessera.url)
      ).response.text();
      assert.match(codePage, /Enter your OTP code/);
      assert.doesNotMatch(codePage, /otp-key/);
      // A forged confirmation changes nothing, and the victim's app still works.
      const forged = await plain.agent.postForm(`${tessera.url}/account/otp/confirm`, {
        csrf: hiddenField(accountPage, 'csrf'),
        enrolment: 'a-made-up-id',
        code: '123456',
      });
      assert.ok(forged.status >= 400);
      assert.deepEqual(
        (await tessera.otp.list(victim.id)).map((t) => t.state),
        ['active'],
      );
      assert.ok(await tessera.otp.validate(victim.id, oathtool(victim.key!)));
    });

    it('registers a new app on the account page after a code from the current one, and mails the person every time', async () => {
      const person = await staff('owner', true);
      const signedIn = await authorize(tessera, portal, { email: person.email, password });
      const done = await signedIn.submit('otp', { code: oathtool(person.key!) });
      assert.ok(done.url.startsWith(testRedirectUri));
      const accountPage = await (await signedIn.agent.request(`${tessera.url}/account`)).text();
      const enrolPage = await (
        await signedIn.agent.postForm(`${tessera.url}/account/otp/register`, { csrf: hiddenField(accountPage, 'csrf') })
      ).text();
      const newKey = enrolPage.match(/id="otp-key"[^>]*>([A-Z2-7 ]+)</)![1].replace(/ /g, '');
      const confirmed = await signedIn.agent.postForm(`${tessera.url}/account/otp/confirm`, {
        csrf: hiddenField(enrolPage, 'csrf'),
        enrolment: hiddenField(enrolPage, 'enrolment'),
        code: oathtool(newKey),
      });
      assert.match(await confirmed.text(), /no longer work/);

      // A first app, registered with the password alone (no token yet), is allowed, and mailed about too.
      const newcomer = await staff('newcomer', false);
      const plain = await authorize(tessera, webmail, { email: newcomer.email, password });
      const page = await (await plain.agent.request(`${tessera.url}/account`)).text();
      const firstEnrol = await (
        await plain.agent.postForm(`${tessera.url}/account/otp/register`, { csrf: hiddenField(page, 'csrf') })
      ).text();
      const firstKey = firstEnrol.match(/id="otp-key"[^>]*>([A-Z2-7 ]+)</)![1].replace(/ /g, '');
      const registered = await plain.agent.postForm(`${tessera.url}/account/otp/confirm`, {
        csrf: hiddenField(firstEnrol, 'csrf'),
        enrolment: hiddenField(firstEnrol, 'enrolment'),
        code: oathtool(firstKey),
      });
      assert.match(await registered.text(), /Your new OTP app is registered/);
      const [notice] = await tessera.outbox.recent({ to: newcomer.email });
      assert.match(notice.subject, /new OTP app was registered/);
      assert.match(notice.text, /If this was not you/);
    });

    it('keeps a sign-in that passed the password but not the code signed in nowhere: not the account page, not prompt=none', async () => {
      const person = await staff('halfway', true);
      const halfway = await authorize(tessera, portal, { email: person.email, password });
      assert.match(halfway.page, /Enter your OTP code/);
      // Leaving the code page: the account page asks for a sign-in, and another app answers login_required.
      const account = await halfway.agent.request(`${tessera.url}/account`);
      assert.equal(account.status, 303);
      assert.equal(account.headers.get('location'), '/account/login');
      const silent = await authorize(tessera, webmail, { agent: halfway.agent, params: { prompt: 'none' } });
      assert.equal(new URL(silent.step.url).searchParams.get('error'), 'login_required');
      // With the code, the same browser is signed in everywhere the session reaches.
      const done = await halfway.submit('otp', { code: oathtool(person.key!) });
      assert.deepEqual((await halfway.exchange(done.url)).claims()!.amr, ['pwd', 'otp', 'mfa']);
      const later = await authorize(tessera, webmail, { agent: halfway.agent, params: { prompt: 'none' } });
      assert.ok(later.step.url.startsWith(testRedirectUri) && !new URL(later.step.url).searchParams.has('error'));
    });

    it('refuses "Remind me later" when the request asked for the code (acr_values), whatever the page showed', async () => {
      const person = await staff('later', false);
      const invited = await authorize(tessera, wiki, { email: person.email, password });
      assert.match(invited.page, /Remind me later/, 'the grace period invites without forcing');
      const asked = await authorize(tessera, wiki, {
        email: person.email,
        password,
        params: { acr_values: 'urn:tessera:mfa' },
      });
      assert.match(asked.page, /Register your OTP app/);
      assert.doesNotMatch(asked.page, /Remind me later/);
      const skipped = await asked.submit('otp-later', {});
      assert.equal(skipped.status, 400);
      assert.match(skipped.page, /needs your OTP code/);
      assert.ok(!skipped.url.startsWith(testRedirectUri), 'no code reaches the app');
      // In the grace period without acr_values, putting it off still works and says so in the token.
      const putOff = await invited.submit('otp-later', {});
      assert.deepEqual((await invited.exchange(putOff.url)).claims()!.amr, ['pwd']);
    });

    it('does not let a registration begun before the person had an app replace the app they registered since', async () => {
      const person = await staff('race', false);
      // The attacker, with the password, opens the registration step of the sign-in and keeps the page.
      const attacker = await authorize(tessera, wiki, { email: person.email, password });
      const attackerKey = attacker.page.match(/id="otp-key"[^>]*>([A-Z2-7 ]+)</)![1].replace(/ /g, '');
      // Meanwhile the person registers their own app.
      const theirs = await enrolMobileToken(tessera, person.id, person.email);
      const late = await attacker.submit('otp', {
        enrolment: hiddenField(attacker.page, 'enrolment'),
        code: oathtool(attackerKey),
      });
      assert.equal(late.status, 400);
      assert.match(late.page, /already has an OTP token/);
      assert.deepEqual((await tessera.otp.list(person.id)).filter((t) => t.state === 'active').length, 1);
      assert.ok(await tessera.otp.validate(person.id, oathtool(theirs)), 'their app still works');
    });
  });
}
