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
        configs[app.client_id] = await client.discovery(new URL(tessera.url), app.client_id, String(registered.client_secret), undefined, { execute: [client.allowInsecureRequests] });
      }
      ana = await tessera.accounts.createByOperator({ email: 'ana@example.com', password, name: 'Ana' });
    });
    after(() => tessera.stop());

    /** One authorization request in `agent`'s browser: signs in when asked, stops at a consent page or the app. */
    async function authorize(agent: Agent, app: string, params: Record<string, string>, email = 'ana@example.com') {
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(configs[app], {
        redirect_uri: redirectUri, nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
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
        consent, body, url: step.url,
        /** Allows on the consent page, then follows back to the app. */
        async allow() {
          const allowed = await agent.postForm(`${step.url}/consent`, { csrf: hiddenField(body, 'csrf') });
          assert.equal(allowed.status, 303);
          const back = await agent.follow(new URL(allowed.headers.get('location')!, tessera.url).toString(), tessera.url);
          return back.url;
        },
        async tokens(at = step.url) {
          assert.ok(at.startsWith(redirectUri) && !at.includes('error='), `back at the app with a code: ${at}`);
          return client.authorizationCodeGrant(configs[app], new URL(at), { pkceCodeVerifier: verifier, expectedNonce: nonce });
        },
      };
    }

    const grantsOf = async (accountId: string, clientId: string) => (await tessera.store.db.selectFrom('oidc_payloads').select('payload')
      .where('model', '=', 'Grant').where('account_id', '=', accountId).execute())
      .map((r) => JSON.parse(r.payload) as { clientId: string; openid?: { scope?: string } }).filter((g) => g.clientId === clientId);

    async function accountPage(agent: Agent) {
      const response = await agent.request(`${tessera.url}/account`);
      assert.equal(response.status, 200);
      const page = await response.text();
      return { page, apps: page.slice(page.indexOf('id="apps"'), page.indexOf('</section>', page.indexOf('id="apps"'))) };
    }

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
      const silent = await (await authorize(agent, 'partner', { scope: 'openid offline_access', prompt: 'none' })).tokens();
      assert.equal(silent.refresh_token, undefined, 'prompt=none yields no refresh token');

      // A client registered with `client add --refresh-tokens always` (as an operator runs it, beside the running
      // server) gets one without asking; it ends with the SSO session.
      const env = operatorEnvironment(tessera);
      const refused = await runCli(['client', 'add', '--id', 'never-app', '--name', 'Never', '--redirect-uri', redirectUri, '--refresh-tokens', 'sometimes'], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refresh_tokens:/);
      const added = await runCli(['client', 'add', '--id', 'always-app', '--name', 'Always', '--redirect-uri', redirectUri, '--first-party', '--refresh-tokens', 'always'], env);
      assert.equal(added.code, 0, added.stderr);
      const metadata = JSON.parse(added.stdout) as Record<string, unknown>;
      assert.equal(metadata.refresh_tokens, 'always');
      configs['always-app'] = await client.discovery(new URL(tessera.url), 'always-app', String(metadata.client_secret), undefined, { execute: [client.allowInsecureRequests] });
      const always = await (await authorize(agent, 'always-app', { scope: 'openid' })).tokens();
      assert.ok(always.refresh_token, 'the always client gets one');
      assert.ok((await client.refreshTokenGrant(configs['always-app'], always.refresh_token)).access_token);
      const offlineRotated = refreshed.refresh_token;
      await tessera.sessions.endAll(ana.id);
      await assert.rejects(client.refreshTokenGrant(configs['always-app'], always.refresh_token), (err: Error & { error?: string }) => err.error === 'invalid_grant');
      await assert.rejects(client.refreshTokenGrant(configs.bench, offlineRotated), (err: Error & { error?: string }) => err.error === 'invalid_grant');
    });

    it('leaves out claims without a value: a staff account without a username has no preferred_username, nor any null claim (T50)', async () => {
      const email = `staff-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password, workforce: true });
      const tokens = await (await authorize(createAgent(), 'bench', { scope: 'openid email profile groups' }, email)).tokens();
      const idToken = decodeJwt(tokens.id_token!);
      const response = await fetch(`${tessera.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(response.status, 200);
      const userinfo = await response.json() as Record<string, unknown>;
      for (const [where, claims] of [['ID token', idToken], ['userinfo', userinfo]] as const) {
        assert.equal(claims.email, email, where);
        assert.equal('preferred_username' in claims, false, `${where}: ${JSON.stringify(claims)}`);
        assert.equal('name' in claims, false, where);
        assert.equal('groups' in claims, false, where);
        assert.deepEqual(Object.entries(claims).filter(([, v]) => v === null || v === '' || (Array.isArray(v) && v.length === 0)), [], where);
      }
    });
  });
}
