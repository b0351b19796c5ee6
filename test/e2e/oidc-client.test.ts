// A real relying party (openid-client) against a real Tessera: code + PKCE, refresh rotation, client credentials,
// tokens checked with jose against the published JWKS; and the hostile inputs a provider must refuse.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';

const redirectUri = 'http://127.0.0.1:9/callback';

for (const dialect of await testDialects()) {
  describe(`OIDC code + PKCE with openid-client on ${dialect}`, () => {
    let tessera: RunningTessera;
    let config: client.Configuration;
    let secret: string;
    before(async () => {
      tessera = await startTessera(dialect);
      const registered = await tessera.clients.add({
        client_id: 'test-app',
        client_name: 'Test App',
        redirect_uris: [redirectUri],
        first_party: true,
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      });
      secret = String(registered.client_secret);
      await tessera.accounts.createByOperator({
        email: 'ana@example.com',
        password: 'correct horse battery',
        name: 'Ana',
      });
      config = await client.discovery(new URL(tessera.url), 'test-app', secret, undefined, {
        execute: [client.allowInsecureRequests],
      });
    });
    after(() => tessera.stop());

    async function signIn(params: Record<string, string> = {}, password = 'correct horse battery') {
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        nonce,
        state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...params,
      });
      const agent = createAgent();
      const page = await agent.follow(url.toString(), tessera.url);
      const body = await page.response.text();
      assert.match(page.url, /\/interaction\//);
      const login = await agent.postForm(`${page.url}/login`, {
        csrf: hiddenField(body, 'csrf'),
        email: 'ana@example.com',
        password,
      });
      const done = await agent.follow(
        new URL(login.headers.get('location') ?? page.url, tessera.url).toString(),
        tessera.url,
      );
      return { agent, login, done, verifier, nonce, state };
    }

    it('publishes discovery with ES256, PKCE S256, the create prompt and back-channel logout', async () => {
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, tessera.url);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.ok(metadata.id_token_signing_alg_values_supported?.includes('ES256'));
      assert.ok((metadata.prompt_values_supported as string[]).includes('create'));
      assert.equal(metadata.backchannel_logout_supported, true);
      assert.deepEqual(metadata.response_types_supported, ['code']);
    });

    it('signs in with code + PKCE, issues an ES256 ID token that verifies against the JWKS, and rotates refresh tokens', async () => {
      // A refresh token is asked for: offline_access, which counts only with prompt=consent (OIDC Core §11).
      const { done, verifier, nonce, state } = await signIn({
        scope: 'openid email profile offline_access',
        prompt: 'consent',
      });
      assert.ok(done.url.startsWith(redirectUri), `redirected to ${done.url}`);
      const tokens = await client.authorizationCodeGrant(config, new URL(done.url), {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.email, 'ana@example.com');
      assert.equal(claims.aud, 'test-app');
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'ES256');
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const verified = await jwtVerify(tokens.id_token!, jwks, { issuer: tessera.url, audience: 'test-app' });
      assert.equal(verified.payload.nonce, nonce);
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(userinfo.email, 'ana@example.com');

      assert.ok(tokens.refresh_token);
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      // ASVS V10.4.5: the rotated-out refresh token is refused.
      await assert.rejects(
        client.refreshTokenGrant(config, tokens.refresh_token),
        (err: Error & { error?: string }) => err.error === 'invalid_grant',
      );
    });

    it('refuses a second exchange of the same code (T31)', async () => {
      const { done, verifier, nonce, state } = await signIn();
      await client.authorizationCodeGrant(config, new URL(done.url), {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
      });
      await assert.rejects(
        client.authorizationCodeGrant(config, new URL(done.url), {
          pkceCodeVerifier: verifier,
          expectedNonce: nonce,
          expectedState: state,
        }),
        (err: Error & { error?: string }) => err.error === 'invalid_grant',
      );
    });

    it("issues client-credentials tokens as ES256 JWTs for Tessera's API that verify against the JWKS", async () => {
      const tokens = await client.clientCredentialsGrant(config, { scope: 'otp:validate' });
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
        issuer: tessera.url,
        audience: `${tessera.url}/api`,
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.client_id, 'test-app');
      assert.equal(payload.scope, 'otp:validate');
      // A scope Tessera's API does not define is not granted.
      const widened = await client.clientCredentialsGrant(config, { scope: 'otp:validate admin' });
      assert.equal((await jwtVerify(widened.access_token, jwks)).payload.scope, 'otp:validate');
      const wrongSecret = await client.discovery(new URL(tessera.url), 'test-app', 'x'.repeat(43), undefined, {
        execute: [client.allowInsecureRequests],
      });
      await assert.rejects(
        client.clientCredentialsGrant(wrongSecret, {}),
        (err: Error & { error?: string }) => err.error === 'invalid_client',
      );
    });

    it('answers a wrong password and an unknown account with the same message and status (T6)', async () => {
      const wrong = await signIn({}, 'not the password at all');
      assert.equal(wrong.login.status, 401);
      const wrongPage = await wrong.login.text();
      assert.match(wrongPage, /The e-mail address or password is not right/);
      assert.match(wrongPage, /aria-invalid="true"/);
      const agent = createAgent();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const page = await agent.follow(url.toString(), tessera.url);
      const unknown = await agent.postForm(`${page.url}/login`, {
        csrf: hiddenField(await page.response.text(), 'csrf'),
        email: 'nobody@example.com',
        password: 'not the password at all',
      });
      assert.equal(unknown.status, 401);
      assert.match(await unknown.text(), /The e-mail address or password is not right/);
    });

    it('throttles a password-guessing flood on one account with 429 and Retry-After, other accounts unaffected (T8)', async () => {
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      });
      const agent = createAgent();
      const page = await agent.follow(url.toString(), tessera.url);
      const csrf = hiddenField(await page.response.text(), 'csrf');
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++)
        statuses.push(
          (
            await agent.postForm(`${page.url}/login`, {
              csrf,
              email: 'victim@example.com',
              password: `guess number ${i}`,
            })
          ).status,
        );
      assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
      const throttled = await agent.postForm(`${page.url}/login`, {
        csrf,
        email: 'victim@example.com',
        password: 'one more guess',
      });
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.headers.get('retry-after')) > 0);
      assert.match(await throttled.text(), /Too many attempts/);
      // The real owner of another account signs in normally meanwhile.
      const { done } = await signIn();
      assert.ok(done.url.startsWith(redirectUri));
    });

    it('refuses redirect URIs that differ from the registered one, without redirecting (T30)', async () => {
      const hostile = [
        'http://127.0.0.1:9/callback/extra',
        'http://127.0.0.1:9/callback/..;/',
        'http://127.0.0.1:9/CALLBACK',
        'http://127.0.0.1:9/callback/',
        'http://127.0.0.1:9@evil.example/callback',
        'http://127.0.0.1.evil.example:9/callback',
        'http://127.0.0.1:10/callback',
        'http://127.0.0.1:9/callback#x',
      ];
      for (const uri of hostile) {
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: uri,
          scope: 'openid',
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
        });
        const response = await fetch(url, { redirect: 'manual' });
        assert.equal(response.status, 400, uri);
        assert.equal(response.headers.get('location'), null, uri);
      }
    });

    it('refuses an authorization request without PKCE and one with the plain method (T32)', async () => {
      for (const extra of [{}, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }] as Array<
        Record<string, string>
      >) {
        const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', ...extra });
        const agent = createAgent();
        const { url: landed } = await agent.follow(url.toString(), tessera.url);
        assert.match(landed, /error=invalid_request/);
      }
    });

    it('refuses a sign-in form without its CSRF token, and a form for another interaction (T28)', async () => {
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      });
      const agent = createAgent();
      const page = await agent.follow(url.toString(), tessera.url);
      const csrf = hiddenField(await page.response.text(), 'csrf');
      const missing = await agent.postForm(`${page.url}/login`, {
        email: 'ana@example.com',
        password: 'correct horse battery',
      } as Record<string, string>);
      assert.equal(missing.status, 400);
      const wrong = await agent.postForm(`${page.url}/login`, {
        csrf: `${csrf.slice(0, -2)}xx`,
        email: 'ana@example.com',
        password: 'correct horse battery',
      });
      assert.equal(wrong.status, 403);
      const other = await agent.postForm(`${tessera.url}/interaction/someoneelse/login`, {
        csrf,
        email: 'ana@example.com',
        password: 'correct horse battery',
      });
      assert.equal(other.status, 403);
    });

    it('answers an oversized body with 413 and malformed JSON with problem+json, never a crash', async () => {
      const big = await fetch(`${tessera.url}/verify-email`, {
        method: 'POST',
        body: new URLSearchParams({ token: 'x'.repeat(1024 * 1024) }),
        headers: { accept: 'text/html' },
      });
      assert.equal(big.status, 413);
      const bad = await fetch(`${tessera.url}/verify-email`, {
        method: 'POST',
        body: '{"token":',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal((await fetch(`${tessera.url}/healthz`)).status, 200);
    });
  });
}
