// Issue 22 in Chromium: every page Tessera shows on the way (sign-in, sign-up, verify with its error, reset with its
// captcha, the account landing, unsubscribe, not found) passes axe-core's WCAG 2.2 AA rules in English and Romanian,
// also with larger text and high contrast and at 320 px; sign-up by keyboard alone; and the Romanian walk:
// `ui_locales=ro` from the demo shop gives Romanian pages and a Romanian confirmation mail, the account remembers
// `ro`, and the VPN's RADIUS challenge to that person is Romanian.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { accessibilityViolations, wcag22 } from '../support/browser.ts';
import { startRegisteredDemoApp, useDemoStack } from '../support/demo-stack.ts';
import { radclient } from '../support/radclient.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { createAgent, hiddenField, solvedCaptcha } from '../support/tessera.ts';

const secret = 'a-shared-secret-of-32-characters!';

/** Waits out the last 3 s of a 30 s step, so a code typed now is still the server's current one when it arrives. */
async function awayFromStepEnd() {
  const leftMs = 30_000 - (Date.now() % 30_000);
  if (leftMs < 3_000) await new Promise((resolve) => setTimeout(resolve, leftMs + 100));
}
const password = 'a fine long passphrase';

async function assertAccessible(page: Page, what: string) {
  assert.deepEqual(await accessibilityViolations(page, wcag22), [], `${what} (${page.url()})`);
}

const words = {
  en: {
    signIn: 'Sign in',
    otp: 'OTP code',
    signUp: 'Create account',
    email: 'E-mail address',
    password: 'Password',
    code: '6-digit code',
    confirm: 'Confirm',
  },
  ro: {
    signIn: 'Autentificare',
    otp: 'Codul OTP',
    signUp: 'Creați contul',
    email: 'Adresa de e-mail',
    password: 'Parola',
    code: 'Codul din 6 cifre',
    confirm: 'Confirmați',
  },
};

for (const dialect of await testDialects()) {
  describe(`languages and accessibility in Chromium (${dialect})`, () => {
    const stage = useDemoStack(dialect, {
      config: {
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
        accounts: { captchaMaxNumber: 5000 },
      },
    });

    for (const lang of ['en', 'ro'] as const) {
      it(`passes WCAG 2.2 AA on every page in ${lang}`, async () => {
        const context = await stage.browser.newContext({ locale: lang === 'ro' ? 'ro-RO' : 'en-GB' });
        const page = await context.newPage();
        const w = words[lang];
        await page.goto(`${stage.shop.url}/login?lang=${lang}`);
        await page.locator(`html[lang="${lang}"]`).waitFor();
        await assertAccessible(page, 'sign-in');
        await page.getByRole('link', { name: lang === 'ro' ? 'Creați un cont' : 'Create an account' }).click();
        await page.getByRole('heading', { level: 1 }).waitFor();
        await assertAccessible(page, 'sign-up');
        await page.getByLabel(w.email).fill('not-an-address');
        await page.getByLabel(w.password).fill(password);
        await page.getByRole('button', { name: w.signUp }).click();
        await page.getByRole('alert').waitFor();
        await assertAccessible(page, 'sign-up with errors');
        await page.getByLabel(w.email).fill(`a11y-${lang}-${dialect}@example.com`);
        await page.getByLabel(w.password).fill(password);
        await page.getByRole('button', { name: w.signUp }).click();
        await page.getByLabel(w.code).waitFor();
        assert.equal(await page.getByLabel(w.code).getAttribute('autocomplete'), 'one-time-code');
        await assertAccessible(page, 'verify');
        await page.getByLabel(w.code).fill('000000');
        await page.getByRole('button', { name: w.confirm, exact: true }).click();
        await page.getByRole('alert').waitFor();
        await assertAccessible(page, 'verify with a wrong code');
        for (const path of ['/reset-password', '/', '/account', '/unsubscribe?t=nope', '/no-such-page']) {
          await page.goto(`${stage.tessera.url}${path}`);
          assert.equal(await page.getAttribute('html', 'lang'), lang, path);
          await assertAccessible(page, path);
        }
        // The accessibility menu's views, and 320 CSS pixels wide: nothing scrolls sideways.
        await page.goto(`${stage.tessera.url}/reset-password?view=large-text`);
        await page.goto(`${stage.tessera.url}/reset-password?view=high-contrast`);
        assert.equal(await page.getAttribute('html', 'class'), 'large-text high-contrast');
        await assertAccessible(page, 'larger text, high contrast');
        await page.setViewportSize({ width: 320, height: 640 });
        await page.goto(`${stage.shop.url}/login`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        assert.ok(
          await page.evaluate('document.documentElement.scrollWidth <= 320'),
          'no sideways scrolling at 320 px',
        );
        await assertAccessible(page, 'sign-in at 320 px');
        await context.close();
      });
    }

    it('signs up by keyboard alone: Tab reaches the switcher, the menu and the fields in order; Enter submits', async () => {
      const context = await stage.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${stage.shop.url}/signup`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const focused = async () =>
        (await page.evaluate(
          `(() => { const el = document.activeElement; return el.getAttribute('name') ?? el.textContent.trim(); })()`,
        )) as string;
      const press = async (key: string, times = 1) => {
        const seen: string[] = [];
        for (let i = 0; i < times; i++) {
          await page.keyboard.press(key);
          seen.push(await focused());
        }
        return seen;
      };
      assert.equal(await focused(), 'email', 'the first field has the focus');
      // Backwards from the first field: the accessibility menu, the languages, the skip link, in this order.
      assert.deepEqual(await press('Shift+Tab', 4), ['Accessibility', 'Română', 'English', 'Skip to content']);
      assert.deepEqual(await press('Tab', 3), ['English', 'Română', 'Accessibility']);
      // The accessibility menu opens with Enter, and its links come next in the order.
      await page.keyboard.press('Enter');
      assert.deepEqual(await press('Tab', 3), ['Larger text', 'High contrast', 'email']);
      await page.keyboard.type(`keyboard-${dialect}@example.com`);
      assert.deepEqual(await press('Tab', 2), ['name', 'password']);
      await page.keyboard.type(password);
      assert.deepEqual(await press('Tab', 2), ['marketing', 'Create account']);
      await page.keyboard.press('Enter');
      await page.getByLabel('6-digit code').waitFor();
      assert.equal(await focused(), 'code', 'the code field has the focus');
      const mail = await stage.smtp.waitForMail((m) => m.to.includes(`keyboard-${dialect}@example.com`));
      const code = /code is (\d{6})/.exec(mail.text)![1];
      // Pasting the code is allowed (WCAG 3.3.8): no script cancels the paste.
      const pasted = await page.evaluate(`(() => {
        const data = new DataTransfer();
        data.setData('text/plain', '${code}');
        return document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      })()`);
      assert.equal(pasted, true, 'paste is not cancelled');
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${stage.shop.url}/**`);
      await context.close();
    });

    it('ui_locales=ro from the demo shop: Romanian pages, a Romanian mail, and a Romanian VPN challenge', async () => {
      const context = await stage.browser.newContext({ locale: 'en-GB' });
      const page = await context.newPage();
      const email = `ro-${dialect}@example.com`;
      await page.goto(`${stage.shop.url}/signup?lang=ro`);
      await page.getByRole('heading', { name: 'Creați-vă contul' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'ro');
      await page.getByLabel('Adresa de e-mail').fill(email);
      await page.getByLabel('Parola').fill(password);
      await page.getByRole('button', { name: 'Creați contul' }).click();
      await page.getByRole('heading', { name: 'Confirmați adresa de e-mail' }).waitFor();
      const mail = await stage.smtp.waitForMail((m) => m.to.includes(email));
      assert.equal(mail.subject, 'Confirmați adresa de e-mail');
      assert.match(mail.text, /Codul dumneavoastră de confirmare este \d{6}/);
      assert.match(mail.text, /valabile \d+ (de )?(minute|ore|oră|zile)/);
      const code = /este (\d{6})/.exec(mail.text)![1];
      await page.getByLabel('Codul din 6 cifre').fill(code);
      await page.getByRole('button', { name: 'Confirmați', exact: true }).click();
      await page.waitForURL(`${stage.shop.url}/**`);
      const row = await stage.tessera.store.db
        .selectFrom('accounts')
        .select(['id', 'locale'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      assert.equal(row.locale, 'ro', 'the account remembers the language its person used');
      await context.close();

      // A member of staff whose account says `ro` logs in to the VPN: the challenge is in Romanian.
      const staff = await stage.tessera.accounts.createByOperator({
        email: `vpn-ro-${dialect}@example.com`,
        password: 'a vpn passphrase',
        workforce: true,
      });
      await enrolMobileToken(stage.tessera, staff.id, `vpn-ro-${dialect}@example.com`);
      await stage.tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      await stage.tessera.accounts.rememberLocale(staff.id, 'ro');
      const reply = await radclient({
        port: stage.tessera.radiusAddress()!.port,
        secret,
        command: 'auth',
        attributes: [
          `User-Name = "vpn-ro-${dialect}@example.com"`,
          'User-Password = "a vpn passphrase"',
          'Message-Authenticator = 0x00',
        ],
      });
      assert.equal(reply.code, 'Access-Challenge');
      const message = reply.attributes.find((a) => a.name === 'Reply-Message')?.value ?? '';
      assert.match(message, /Introduceți a doua parolă: codul OTP din 6 cifre/);
    });

    // Keyboard only from here: Tab (and Shift+Tab) moves, typing fills, Enter submits.
    const focusedName = (page: Page) =>
      page.evaluate(
        `(() => { const el = document.activeElement; return el.getAttribute('name') ?? el.textContent.trim(); })()`,
      ) as Promise<string>;
    async function tabTo(page: Page, name: string) {
      for (let i = 0; i < 30 && (await focusedName(page)) !== name; i++) await page.keyboard.press('Tab');
      assert.equal(await focusedName(page), name, `Tab reaches ${name}`);
    }

    for (const lang of ['en', 'ro'] as const) {
      it(`signs in with an OTP code by keyboard alone, every OTP and account page passing WCAG 2.2 AA (${lang})`, async () => {
        await stage.tessera.policies.save(
          { appId: 'demo-shop', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
          0,
        );
        const email = `otp-${lang}-${dialect}@example.com`;
        await stage.tessera.accounts.createByOperator({ email, password });
        const signIn = async (page: Page) => {
          await page.goto(`${stage.shop.url}/login?lang=${lang}`);
          await page.locator(`html[lang="${lang}"]`).waitFor();
          assert.equal(await focusedName(page), 'email', 'the sign-in page starts at the first field');
          await page.keyboard.type(email);
          await page.keyboard.press('Tab');
          assert.equal(await focusedName(page), 'password', 'the password comes next');
          await page.keyboard.type(password);
          await page.keyboard.press('Tab');
          assert.equal(await focusedName(page), words[lang].signIn, 'then the button');
          await page.keyboard.press('Enter');
        };
        const context = await stage.browser.newContext();
        const page = await context.newPage();
        await signIn(page);
        await page.locator('#otp-key').waitFor();
        await assertAccessible(page, 'OTP registration');
        const key = (await page.locator('#otp-key').textContent())!.replace(/ /g, '');
        await tabTo(page, 'code');
        assert.equal(await page.getAttribute('input[name=code]', 'autocomplete'), 'one-time-code');
        await page.keyboard.type(oathtool(key) === '000000' ? '111111' : '000000');
        await page.keyboard.press('Enter');
        // The error is announced (role=alert) and its summary links to the field.
        await page.getByRole('alert').waitFor();
        assert.equal(await page.getAttribute('.summary a', 'href'), '#code');
        await assertAccessible(page, 'OTP registration with a wrong code');
        await tabTo(page, 'code');
        // The previous step's code registers the app (accepted as drift), leaving the current one for the next sign-in.
        await page.keyboard.type(oathtool(key, Date.now() - 30_000));
        await page.keyboard.press('Enter');
        await page.waitForURL(`${stage.shop.url}/**`);
        await page.goto(`${stage.tessera.url}/account?lang=${lang}`);
        await page.locator('#otp').waitFor();
        await assertAccessible(page, 'account page, signed in');
        await context.close();

        // A second sign-in asks for the code: typed from the keyboard.
        const again = await stage.browser.newContext();
        const second = await again.newPage();
        await signIn(second);
        await second.getByLabel(words[lang].otp).waitFor();
        assert.equal(await focusedName(second), 'code', 'the code field has the focus');
        await assertAccessible(second, 'OTP code');
        await awayFromStepEnd();
        await second.keyboard.type(oathtool(key));
        await second.keyboard.press('Enter');
        await second.waitForURL(`${stage.shop.url}/**`);
        await again.close();
        await stage.tessera.policies.save(
          { appId: 'demo-shop', otp: 'off', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
          0,
        );
      });
    }

    it('resets a password by keyboard alone, the captcha asking nothing of the person (WCAG 3.3.8)', async () => {
      const email = `reset-kb-${dialect}@example.com`;
      await stage.tessera.accounts.createByOperator({ email, password });
      const context = await stage.browser.newContext({ locale: 'ro-RO' });
      const page = await context.newPage();
      await page.goto(`${stage.tessera.url}/reset-password`);
      assert.equal(await focusedName(page), 'email');
      await page.keyboard.type(email);
      await page.getByText('Verificare încheiată. Puteți continua.').waitFor();
      await assertAccessible(page, 'reset with the check done');
      await page.keyboard.press('Tab');
      assert.equal(await focusedName(page), 'Continuați', 'the captcha takes no stop in the Tab order');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: email }).waitFor();
      await assertAccessible(page, 'reset sent');
      const mail = await stage.smtp.waitForMail((m) => m.to.includes(email) && /Resetați/.test(m.subject));
      await page.goto(/https?:\/\/\S+reset-password\/new\S*/.exec(mail.text)![0]);
      assert.equal(await focusedName(page), 'password');
      await assertAccessible(page, 'new password');
      await page.keyboard.type('another fine long passphrase');
      await page.keyboard.press('Enter');
      await page.getByText('Parola a fost schimbată').waitFor();
      await assertAccessible(page, 'reset done');
      await context.close();
    });

    it('asks for consent and signs out with pages that pass WCAG 2.2 AA in both languages', async () => {
      // The forum is not first-party: the person is asked before it gets their data.
      const forum = await startRegisteredDemoApp(stage.tessera, 'forum', { first_party: false });
      try {
        for (const lang of ['en', 'ro'] as const) {
          const email = `consent-${lang}-${dialect}@example.com`;
          await stage.tessera.accounts.createByOperator({ email, password });
          const context = await stage.browser.newContext();
          const page = await context.newPage();
          await page.goto(`${forum.url}/login?lang=${lang}`);
          await page.getByLabel(words[lang].email).fill(email);
          await page.getByLabel(words[lang].password).fill(password);
          await page.getByRole('button', { name: words[lang].signIn }).click();
          await page.getByRole('button', { name: lang === 'ro' ? 'Permiteți' : 'Allow' }).waitFor();
          assert.equal(await page.getAttribute('html', 'lang'), lang);
          await assertAccessible(page, 'consent');
          await page.getByRole('button', { name: lang === 'ro' ? 'Permiteți' : 'Allow' }).click();
          await page.waitForURL(`${forum.url}/**`);
          await page.goto(`${stage.tessera.url}/oidc/session/end`);
          await page.getByRole('button', { name: lang === 'ro' ? 'Da, deconectați-mă' : 'Yes, sign me out' }).waitFor();
          await assertAccessible(page, 'sign-out question');
          await page.getByRole('button', { name: lang === 'ro' ? 'Da, deconectați-mă' : 'Yes, sign me out' }).click();
          await page.getByRole('heading', { name: lang === 'ro' ? 'V-ați deconectat' : 'Signed out' }).waitFor();
          await assertAccessible(page, 'signed out');
          await context.close();
        }
      } finally {
        await forum.close();
      }
    });

    it('the IT support console in Romanian: sign-in, search and person pages pass WCAG 2.2 AA', async () => {
      const agent = await stage.tessera.accounts.createByOperator({
        email: `agent-${dialect}@example.com`,
        password,
        workforce: true,
      });
      const key = await enrolMobileToken(stage.tessera, agent.id, `agent-${dialect}@example.com`);
      await stage.tessera
        .admin({ kind: 'local', actor: 'operator' })
        .roles.grant({ user: `agent-${dialect}@example.com`, role: 'helpdesk' });
      const context = await stage.browser.newContext({ locale: 'ro-RO' });
      const page = await context.newPage();
      await page.goto(`${stage.tessera.url}/console`);
      assert.equal(await page.getAttribute('html', 'lang'), 'ro');
      await page.getByLabel('Adresa de e-mail').fill(`agent-${dialect}@example.com`);
      await page.getByLabel('Parola').fill(password);
      await page.getByRole('button', { name: 'Autentificare' }).click();
      await awayFromStepEnd();
      await page.getByLabel('Codul OTP').fill(oathtool(key));
      await page.getByRole('button', { name: 'Continuați' }).click();
      await page.getByRole('heading', { name: 'Consola suportului IT' }).waitFor();
      await assertAccessible(page, 'console search');
      await page
        .getByLabel('Nume, adresă de e-mail sau număr de serie al tokenului')
        .fill(`agent-${dialect}@example.com`);
      await page.getByRole('button', { name: 'Căutați' }).click();
      await page.getByRole('heading', { name: `agent-${dialect}@example.com` }).waitFor();
      await assertAccessible(page, 'console person');
      await context.close();
    });

    it("writes a mail in the language the person last used, whoever's request sends it", async () => {
      const email = `stored-ro-${dialect}@example.com`;
      const account = await stage.tessera.accounts.createByOperator({ email, password });
      await stage.tessera.accounts.rememberLocale(account.id, 'ro');
      // A reset asked for from an English browser (anyone can ask): the mail is in the account's Romanian.
      const agent = createAgent();
      const headers = { 'accept-language': 'en' };
      const page = await (await agent.request(`${stage.tessera.url}/reset-password`, { headers })).text();
      assert.match(page, /<html lang="en">/);
      const sent = await agent.request(`${stage.tessera.url}/reset-password`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: hiddenField(page, 'csrf'), email, captcha: await solvedCaptcha(page) }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
      assert.match(await sent.text(), /If an account exists for/);
      const mail = await stage.smtp.waitForMail((m) => m.to.includes(email));
      assert.equal(mail.subject, 'Resetați parola');
      assert.match(mail.text, /Alegeți o parolă nouă aici \(valabil \d+ (de )?(minute|ore|oră)/);
      assert.match(mail.html, /<a href="https?:\/\/[^"]+">Alegeți o parolă nouă<\/a>/);
    });
  });
}
