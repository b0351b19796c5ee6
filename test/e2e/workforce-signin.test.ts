// Employees sign in with their directory account on the same sign-in page, against a real slapd: accounts are
// created at first sign-in (linked by entryUUID), each directory outcome reads differently, and the sync ends the
// sessions of an account the directory disabled.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, freePort, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { launchBrowser } from '../support/browser.ts';
import type { DemoApp } from '../../examples/relying-party/index.ts';
import { startRegisteredDemoApp } from '../support/demo-stack.ts';

const redirectUri = 'http://127.0.0.1:9/callback';
const passwordChangeUrl = 'https://password.example.org/change';

for (const dialect of await testDialects()) {
  describe(`workforce sign-in with the directory on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    let config: client.Configuration;
    let deadUrl: string;
    before(async () => {
      slapd = await startSlapd();
      // The first directory server is down for good: every connection fails over to slapd.
      deadUrl = `ldap://127.0.0.1:${await freePort()}`;
      tessera = await startTessera(dialect, {
        directory: {
          ...fixtureConfig('openldap', [deadUrl, slapd.url]),
          domains: ['example.org', 'EXAMPLE'],
          passwordChangeUrl,
        },
      });
      const registered = await tessera.clients.add({
        client_id: 'portal',
        client_name: 'Intranet portal',
        redirect_uris: [redirectUri],
        first_party: true,
      });
      config = await client.discovery(new URL(tessera.url), 'portal', String(registered.client_secret), undefined, {
        execute: [client.allowInsecureRequests],
      });
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    async function signIn(name: string, password: string, params: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile groups',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...params,
      });
      const agent = createAgent();
      const page = await agent.follow(url.toString(), tessera.url);
      const form = await page.response.text();
      const response = await agent.postForm(`${page.url}/login`, {
        csrf: hiddenField(form, 'csrf'),
        email: name,
        password,
      });
      if (response.status !== 303) return { response, page: await response.text() };
      const done = await agent.follow(new URL(response.headers.get('location')!, tessera.url).toString(), tessera.url);
      const tokens = await client.authorizationCodeGrant(config, new URL(done.url), {
        pkceCodeVerifier: verifier,
        idTokenExpected: true,
      });
      return { response, tokens, claims: tokens.claims()! };
    }

    it('signs in an employee by IT code, creates the account once and links all three name forms to it', async () => {
      const first = await signIn('alice', 'correct horse battery');
      assert.ok(first.claims, first.page);
      assert.equal(first.claims.preferred_username, 'alice');
      assert.equal(first.claims.email, 'alice@example.org');
      assert.ok((first.claims.groups as string[]).length > 0, 'groups come from the directory');
      for (const name of ['EXAMPLE\\alice', 'alice@example.org', 'ALICE']) {
        const again = await signIn(name, 'correct horse battery');
        assert.equal(again.claims?.sub, first.claims.sub, name);
      }
      const rows = await tessera.store.db
        .selectFrom('accounts')
        .select(['kind', 'directory_id'])
        .where('username', '=', 'alice')
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].kind, 'workforce');
      assert.match(rows[0].directory_id!, /^[0-9a-f-]{36}$/);
      // People never notice the fail-over; the operator's metrics do.
      const metrics = await (await fetch(`${tessera.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`tessera_directory_server_failures_total\\{url="${deadUrl}"\\} [1-9]`));
      assert.ok(!metrics.includes(`url="${slapd.url}"`), 'the server that answers is not counted');
    });

    it('signs in a directory user without e-mail (no email claim) and a vendor', async () => {
      const bob = await signIn('bob', 'bob password 1');
      assert.equal(bob.claims?.preferred_username, 'bob');
      assert.equal(bob.claims?.email, undefined);
      assert.equal((await signIn('victor', 'victor password 1')).claims?.preferred_username, 'victor');
    });

    it('tells a wrong password, a disabled account and hostile names apart, and signs nobody in', async () => {
      const wrong = await signIn('alice', 'not her password');
      assert.equal(wrong.response.status, 401);
      assert.match(wrong.page!, /The name or password is not right/);
      const disabled = await signIn('carol', 'carol password 1');
      assert.match(disabled.page!, /disabled in the company directory/);
      const expired = await signIn('erin', 'erin password 1');
      assert.equal(expired.claims, undefined);
      assert.ok(
        expired.page!.includes(
          `Your directory password has expired. Change it at ${passwordChangeUrl}, then sign in again.`,
        ),
        'the page says where to change it',
      );
      assert.doesNotMatch(
        (await signIn('erin', 'not erin password')).page!,
        /expired/,
        'a wrong password learns nothing',
      );
      const empty = await signIn('alice', '');
      assert.match(empty.page!, /Enter your password/);
      for (const hostile of ['*', 'al*', '*)(uid=*', '*)(uid=*))(|(uid=*', 'alice\u0000', 'EXAMPLE\\*']) {
        const attempt = await signIn(hostile, 'correct horse battery');
        assert.equal(attempt.claims, undefined, hostile);
        assert.doesNotMatch(attempt.page!, /cannot be reached/);
      }
    });

    it('says the directory cannot be reached when slapd is down — never "wrong password" — and recovers without anyone locked out', async () => {
      await slapd.stop();
      const down = await signIn('alice', 'correct horse battery');
      assert.equal(down.response.status, 503);
      assert.match(down.page!, /cannot be reached right now/);
      assert.doesNotMatch(down.page!, /not right/);
      // However often people retry during the outage, nobody is locked out when it ends.
      for (let i = 0; i < 20; i++) assert.equal((await signIn('alice', 'correct horse battery')).response.status, 503);
      // The sync does not disable anybody because of an outage.
      await assert.rejects(tessera.workforce!.sync(), { code: 'directory.unreachable' });
      await slapd.restart();
      assert.ok((await signIn('alice', 'correct horse battery')).claims);
    });

    it('disables an account the directory disabled and ends its tokens at the next sync', async () => {
      const zoe = await signIn('zoë', 'pässwörd ünïcödé', { scope: 'openid offline_access', prompt: 'consent' });
      assert.ok(zoe.tokens?.refresh_token, 'signed in with a refresh token');
      await slapd.modify(
        'dn: uid=zoë,ou=people,dc=example,dc=org\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n',
      );
      const result = await tessera.workforce!.sync();
      assert.ok(result.disabled >= 1);
      await assert.rejects(
        client.refreshTokenGrant(config, zoe.tokens!.refresh_token!),
        (err: Error & { error?: string }) => err.error === 'invalid_grant',
      );
      const account = await tessera.store.db
        .selectFrom('accounts')
        .select('status')
        .where('username', '=', 'zoë')
        .executeTakeFirstOrThrow();
      assert.equal(account.status, 'disabled');
      const audit = await tessera.store.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', '=', 'account.disable')
        .execute();
      assert.match(audit[0].details, /directory_disabled/);
    });
  });
}

describe('workforce sign-in in the browser through the demo shop', () => {
  let slapd: Slapd;
  let tessera: RunningTessera;
  let shop: DemoApp;
  let browser: Browser;
  before(async () => {
    slapd = await startSlapd();
    tessera = await startTessera('sqlite', { directory: fixtureConfig('openldap', [slapd.url]) });
    shop = await startRegisteredDemoApp(tessera, 'shop', { first_party: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await shop?.close();
    await tessera?.stop();
    await slapd?.close();
  });

  it('signs in with CORP\\alice and the directory password on the shared sign-in page', async () => {
    const page = await browser.newPage();
    await page.goto(`${shop.url}/login`);
    await page.getByLabel('E-mail address or IT code').fill('CORP\\alice');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.toString().startsWith(shop.url));
    await page.getByText('Signed in as').waitFor();
    assert.match(await page.content(), /alice@example\.org/);
  });
});
