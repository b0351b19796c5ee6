// Consent, grants and refresh tokens as a real relying party (openid-client) meets them: a third-party app asks for
// consent once per person (not once per SSO session), again after "Remove access" and for a scope it was not given;
// one grant per person and app; a refresh token only when the app asks for it; no claim without a value.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { runCli, operatorEnvironment } from '../support/cli.ts';

const redirectUri = 'http://127.0.0.1:9/callback';
const password = 'correct horse battery';
type Agent = ReturnType<typeof createAgent>;

for (const dialect of await testDialects()) {
  describe(`OIDC consent, grants and refresh tokens with openid-client on ${dialect}`, () => {
    let tessera: RunningTessera;
    const configs: Record<string, client.Configuration> = {};
    let ana: { id: string };

    before(async () => {
      tessera = await startTessera(dialect);
      const apps = [
        { client_id: 'partner', client_name: 'Partner', first_party: false },
        { client_id: 'bench', client_name: 'Bench', first_party: true },
      ];
      for (const app of apps) {
        const registered = await tessera.clients.add({ ...app, redirect_uris: [redirectUri] });
        configs[app.client_id] = await client.discovery(
          new URL(tessera.url),
          app.client_id,
          String(registered.client_secret),
          undefined,
          { execute: [client.allowInsecureRequests] },
        );
      }
      ana = await tessera.accounts.createByOperator({ email: 'ana@example.com', password, name: 'Ana' });
    });
    after(() => tessera.stop());

    /** One authorization request in `agent`'s browser: signs in when asked, stops at a consent page or the app. */
    async function authorize(agent: Agent, app: string, params: Record<string, string>, email = 'ana@example.com') {
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(configs[app], {
        redirect_uri: redirectUri,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...params,
      });
      let step = await agent.follow(url.toString(), tessera.url);
      let body = step.url.startsWith(redirectUri) ? '' : await step.response.text();
      if (/name="password"/.test(body)) {
        const login = await agent.postForm(`${step.url}/login`, { csrf: hiddenField(body, 'csrf'), email, password });
        assert.equal(login.status, 303, 'signed in');
        step = await agent.follow(new URL(login.headers.get('location')!, tessera.url).toString(), tessera.url);
        body = step.url.startsWith(redirectUri) ? '' : await step.response.text();
      }
      const consent = /asks for access/.test(body);
      return {
        consent,
        body,
        url: step.url,
        /** Allows on the consent page, then follows back to the app. */
        async allow() {
          const allowed = await agent.postForm(`${step.url}/consent`, { csrf: hiddenField(body, 'csrf') });
          assert.equal(allowed.status, 303);
          const back = await agent.follow(
            new URL(allowed.headers.get('location')!, tessera.url).toString(),
            tessera.url,
          );
          return back.url;
        },
        async tokens(at = step.url) {
          assert.ok(at.startsWith(redirectUri) && !at.includes('error='), `back at the app with a code: ${at}`);
          return client.authorizationCodeGrant(configs[app], new URL(at), {
            pkceCodeVerifier: verifier,
            expectedNonce: nonce,
          });
        },
      };
    }

    const grantsOf = async (accountId: string, clientId: string) =>
      (
        await tessera.store.db
          .selectFrom('oidc_payloads')
          .select('payload')
          .where('model', '=', 'Grant')
          .where('account_id', '=', accountId)
          .execute()
      )
        .map((r) => JSON.parse(r.payload) as { clientId: string; openid?: { scope?: string } })
        .filter((g) => g.clientId === clientId);

    async function accountPage(agent: Agent) {
      const response = await agent.request(`${tessera.url}/account`);
      assert.equal(response.status, 200);
      const page = await response.text();
      return {
        page,
        apps: page.slice(page.indexOf('id="apps"'), page.indexOf('</section>', page.indexOf('id="apps"'))),
      };
    }

    it('asks a third-party app\'s consent once across SSO sessions, again for a new scope (never granted by prompt=none), and again after "Remove access" (T34)', async () => {
      const laptop = createAgent();
      const first = await authorize(laptop, 'partner', { scope: 'openid email' });
      assert.ok(first.consent, 'the first sign-in asks for consent');
      assert.match(first.body, /See your e-mail address/);
      assert.equal((await first.tokens(await first.allow())).claims()!.email, 'ana@example.com');

      const expiry = async () =>
        (
          await tessera.store.db
            .selectFrom('oidc_payloads')
            .select('expires_at')
            .where('model', '=', 'Grant')
            .where('account_id', '=', ana.id)
            .executeTakeFirstOrThrow()
        ).expires_at!;
      const givenUntil = await expiry();

      // Another browser, a new SSO session of the same person: the consent given on the laptop holds.
      const phone = createAgent();
      const second = await authorize(phone, 'partner', { scope: 'openid email' });
      assert.equal(second.consent, false, 'no second consent page');
      assert.equal((await second.tokens()).claims()!.email, 'ana@example.com');
      assert.ok((await expiry()) > givenUntil, 'the consent is kept for its lifetime after this latest sign-in');

      // A scope the grant lacks: prompt=none gets consent_required and nothing is granted.
      const silent = await authorize(phone, 'partner', { scope: 'openid email profile', prompt: 'none' });
      assert.match(silent.url, /^http:\/\/127\.0\.0\.1:9\/callback\?.*error=consent_required/);
      assert.deepEqual(
        (await grantsOf(ana.id, 'partner')).map((g) => g.openid?.scope),
        ['openid email'],
      );
      // Interactively it asks again, with the new scope on the page.
      const wider = await authorize(phone, 'partner', { scope: 'openid email profile' });
      assert.ok(wider.consent, 'a new scope asks again');
      assert.match(wider.body, /See your name/);
      assert.equal((await wider.tokens(await wider.allow())).claims()!.name, 'Ana');
      assert.equal(
        (await authorize(laptop, 'partner', { scope: 'openid email profile' })).consent,
        false,
        'the laptop sees the wider grant too',
      );

      // "Remove access" on the account page: every session asks again.
      const { page } = await accountPage(phone);
      const removed = await phone.postForm(`${tessera.url}/account/apps/partner/revoke`, {
        csrf: hiddenField(page, 'csrf'),
      });
      assert.equal(removed.status, 200);
      assert.match(await removed.text(), /no longer has access/);
      assert.deepEqual(await grantsOf(ana.id, 'partner'), []);
      for (const agent of [phone, laptop, createAgent()]) {
        assert.ok(
          (await authorize(agent, 'partner', { scope: 'openid email' })).consent,
          'asked again after Remove access',
        );
      }
    });

    it('keeps one grant per person and app: nine sign-ins leave one entry on /account with the scopes asked, a wider request adds to it', async () => {
      const email = `bea-${dialect}@example.com`;
      const bea = await tessera.accounts.createByOperator({ email, password });
      let agent = createAgent();
      for (let i = 0; i < 9; i++) {
        agent = createAgent();
        const signIn = await authorize(agent, 'bench', { scope: 'openid email' }, email);
        assert.equal(signIn.consent, false, 'a first-party app shows no consent page');
        await signIn.tokens();
      }
      // A first-party grant holds what the app asked for, not every scope there is.
      assert.deepEqual(
        (await grantsOf(bea.id, 'bench')).map((g) => g.openid?.scope),
        ['openid email'],
      );
      assert.deepEqual(
        (await tessera.sessions.apps(bea.id)).map((a) => [a.clientId, a.scopes]),
        [['bench', ['openid', 'email']]],
      );
      assert.equal((await tessera.sessions.list(bea.id)).length, 9);
      const { apps } = await accountPage(agent);
      assert.equal(apps.match(/<strong>Bench<\/strong>/g)?.length, 1, apps);
      assert.match(apps, /Given: openid, email\n/);

      const wider = await authorize(agent, 'bench', { scope: 'openid email profile groups' }, email);
      assert.equal(wider.consent, false);
      await wider.tokens();
      assert.deepEqual(
        (await grantsOf(bea.id, 'bench')).map((g) => g.openid?.scope),
        ['openid email profile groups'],
      );
      assert.match((await accountPage(agent)).apps, /Given: openid, email, profile, groups\n/);

      // Grants written before the fix (one per sign-in) show as one entry holding all they gave.
      for (const scope of ['openid email profile', 'openid email', 'openid email groups']) {
        const legacy = new tessera.provider.Grant({ accountId: bea.id, clientId: 'partner' });
        legacy.addOIDCScope(scope);
        await legacy.save();
      }
      const listed = await tessera.sessions.apps(bea.id);
      assert.deepEqual(listed.map((a) => a.clientId).sort(), ['bench', 'partner']);
      assert.deepEqual(listed.find((a) => a.clientId === 'partner')!.scopes.sort(), [
        'email',
        'groups',
        'openid',
        'profile',
      ]);
      assert.equal((await accountPage(agent)).apps.match(/<strong>Partner<\/strong>/g)?.length, 1);
      // …and such an app is not asked again for what one of those grants holds.
      assert.equal((await authorize(agent, 'partner', { scope: 'openid email' }, email)).consent, false);
    });

    it('issues a refresh token only when offline_access is granted or the client always gets one', async () => {
      const agent = createAgent();
      const plain = await (await authorize(agent, 'bench', { scope: 'openid email' })).tokens();
      assert.equal(plain.refresh_token, undefined, 'no refresh token without offline_access');

      // OIDC Core §11: offline_access counts only with prompt=consent; a first-party app still sees no consent page.
      const ignored = await (await authorize(agent, 'bench', { scope: 'openid offline_access' })).tokens();
      assert.equal(ignored.refresh_token, undefined, 'offline_access without prompt=consent is dropped');
      const offline = await authorize(agent, 'bench', { scope: 'openid offline_access', prompt: 'consent' });
      assert.equal(offline.consent, false, 'no consent page for a first-party app');
      const tokens = await offline.tokens();
      assert.ok(tokens.refresh_token, 'a refresh token when offline_access is granted');
      assert.equal(tokens.scope?.split(' ').includes('offline_access'), true);
      const refreshed = await client.refreshTokenGrant(configs.bench, tokens.refresh_token);
      assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'rotated');

      // A third-party app asks the person for it, and a silent request (prompt=none) never gets one.
      const partner = await authorize(agent, 'partner', { scope: 'openid offline_access', prompt: 'consent' });
      assert.ok(partner.consent);
      assert.match(partner.body, /Stay connected when you are not using it/);
      assert.ok((await partner.tokens(await partner.allow())).refresh_token);
      const silent = await (
        await authorize(agent, 'partner', { scope: 'openid offline_access', prompt: 'none' })
      ).tokens();
      assert.equal(silent.refresh_token, undefined, 'prompt=none yields no refresh token');

      // A client registered with `client add --refresh-tokens always` (as an operator runs it, beside the running
      // server) gets one without asking; it ends with the SSO session.
      const env = operatorEnvironment(tessera);
      const refused = await runCli(
        [
          'client',
          'add',
          '--id',
          'never-app',
          '--name',
          'Never',
          '--redirect-uri',
          redirectUri,
          '--refresh-tokens',
          'sometimes',
        ],
        env,
      );
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refresh_tokens:/);
      const added = await runCli(
        [
          'client',
          'add',
          '--id',
          'always-app',
          '--name',
          'Always',
          '--redirect-uri',
          redirectUri,
          '--first-party',
          '--refresh-tokens',
          'always',
        ],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      const metadata = JSON.parse(added.stdout) as Record<string, unknown>;
      assert.equal(metadata.refresh_tokens, 'always');
      configs['always-app'] = await client.discovery(
        new URL(tessera.url),
        'always-app',
        String(metadata.client_secret),
        undefined,
        { execute: [client.allowInsecureRequests] },
      );
      const always = await (await authorize(agent, 'always-app', { scope: 'openid' })).tokens();
      assert.ok(always.refresh_token, 'the always client gets one');
      assert.ok((await client.refreshTokenGrant(configs['always-app'], always.refresh_token)).access_token);
      const offlineRotated = refreshed.refresh_token;
      await tessera.sessions.endAll(ana.id);
      await assert.rejects(
        client.refreshTokenGrant(configs['always-app'], always.refresh_token),
        (err: Error & { error?: string }) => err.error === 'invalid_grant',
      );
      await assert.rejects(
        client.refreshTokenGrant(configs.bench, offlineRotated),
        (err: Error & { error?: string }) => err.error === 'invalid_grant',
      );
    });

    it("keeps the consent when a session ends or logs out, and revokes only that session's tokens", async () => {
      const email = `cy-${dialect}@example.com`;
      const cy = await tessera.accounts.createByOperator({ email, password });
      const offline = { scope: 'openid offline_access', prompt: 'consent' };
      const refreshes = async (token: string) =>
        client.refreshTokenGrant(configs.partner, token).then(
          (t) => t.refresh_token!,
          (err: Error & { error?: string }) => {
            assert.equal(err.error, 'invalid_grant');
            return undefined;
          },
        );
      const laptop = createAgent();
      const phone = createAgent();
      const onLaptop = await authorize(laptop, 'partner', offline, email);
      const laptopTokens = await onLaptop.tokens(await onLaptop.allow());
      // prompt=consent shows the page again, by the app's own request.
      const onPhone = await authorize(phone, 'partner', offline, email);
      let phoneRefreshToken = (await onPhone.tokens(await onPhone.allow())).refresh_token!;
      assert.equal((await grantsOf(cy.id, 'partner')).length, 1, 'one grant for both sessions');

      // The phone ends the laptop's session on the account page: the laptop's refresh token goes, the phone's stays.
      // (oidc-provider's session cookie holds the id of the session's row.)
      const laptopRow = await tessera.store.db
        .selectFrom('oidc_payloads')
        .select('payload')
        .where('model', '=', 'Session')
        .where('id', '=', laptop.cookies.get('_session')!)
        .executeTakeFirstOrThrow();
      const laptopUid = (JSON.parse(laptopRow.payload) as { uid: string }).uid;
      const ended = await phone.postForm(`${tessera.url}/account/sessions/${laptopUid}/end`, {
        csrf: hiddenField((await accountPage(phone)).page, 'csrf'),
      });
      assert.equal(ended.status, 200);
      assert.equal(
        await refreshes(laptopTokens.refresh_token!),
        undefined,
        "the ended session's refresh token is refused",
      );
      phoneRefreshToken = (await refreshes(phoneRefreshToken))!;
      assert.ok(phoneRefreshToken, 'the phone keeps its refresh token');

      // The laptop signs in again (no consent page) without offline_access, then logs out at the app
      // (RP-initiated logout): its session ends, not the consent nor the phone's refresh token.
      const again = await authorize(laptop, 'partner', { scope: 'openid' }, email);
      assert.equal(again.consent, false, 'the consent survives the ended session');
      const { access_token: laptopAccess } = await again.tokens();
      const logout = await laptop.follow(
        client.buildEndSessionUrl(configs.partner, { client_id: 'partner' }).toString(),
        tessera.url,
      );
      const confirmed = await laptop.postForm(`${tessera.url}/oidc/session/end/confirm`, {
        xsrf: hiddenField(await logout.response.text(), 'xsrf'),
        logout: 'yes',
      });
      assert.equal(confirmed.status, 303);
      assert.equal((await tessera.sessions.list(cy.id)).length, 1, "only the phone's session is left");
      await assert.rejects(
        client.fetchUserInfo(configs.partner, laptopAccess, client.skipSubjectCheck),
        "the logged-out session's access token is refused",
      );
      assert.ok(await refreshes(phoneRefreshToken), "the phone's refresh token survives the laptop's logout");
      assert.equal((await grantsOf(cy.id, 'partner')).length, 1);
      assert.equal(
        (await authorize(laptop, 'partner', { scope: 'openid' }, email)).consent,
        false,
        'no consent page after logging out',
      );
    });

    it('leaves out claims without a value: a staff account without a username has no preferred_username, nor any null claim (T50)', async () => {
      const email = `staff-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password, workforce: true });
      const tokens = await (
        await authorize(createAgent(), 'bench', { scope: 'openid email profile groups' }, email)
      ).tokens();
      const idToken = decodeJwt(tokens.id_token!);
      const response = await fetch(`${tessera.url}/oidc/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(response.status, 200);
      const userinfo = (await response.json()) as Record<string, unknown>;
      for (const [where, claims] of [
        ['ID token', idToken],
        ['userinfo', userinfo],
      ] as const) {
        assert.equal(claims.email, email, where);
        assert.equal('preferred_username' in claims, false, `${where}: ${JSON.stringify(claims)}`);
        assert.equal('name' in claims, false, where);
        assert.equal('groups' in claims, false, where);
        assert.deepEqual(
          Object.entries(claims).filter(([, v]) => v === null || v === '' || (Array.isArray(v) && v.length === 0)),
          [],
          where,
        );
      }
    });
  });
}
