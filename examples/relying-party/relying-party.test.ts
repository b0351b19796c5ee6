// The demo shop and forum against a real oidc-provider, driven by headless Chromium: sign in once, be signed in at
// both (silent SSO); log out at one, be logged out at both (back-channel logout); forged answers change nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload } from 'jose';
import { demoClients } from '../demo-clients.ts';
import { forum } from '../forum/index.ts';
import { shop } from '../shop/index.ts';
import { cookieNames, startDemoApp, type DemoApp } from './index.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from './logout-token.ts';
import { listenTestProvider, type TestProvider } from './test-provider.ts';
import { accessibilityViolations, launchBrowser } from '../../test/support/browser.ts';

let provider: TestProvider;
let shopApp: DemoApp;
let forumApp: DemoApp;
let browser: Browser;

before(async () => {
  provider = await listenTestProvider();
  // The apps start before the provider answers, as they do beside Tessera: discovery waits for first use.
  shopApp = await startDemoApp({ ...shop, port: 0, issuer: provider.issuer });
  forumApp = await startDemoApp({ ...forum, port: 0, issuer: provider.issuer });
  provider.start(demoClients({ shop: portOf(shopApp), forum: portOf(forumApp) }).map((d) => d.client));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await shopApp?.close();
  await forumApp?.close();
  await provider?.close();
});

const portOf = (app: DemoApp) => Number(new URL(app.url).port);

async function newBrowserContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  // Hermetic: oidc-provider's dev pages import a web font; nothing leaves this machine.
  await context.route(/^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/, (route) => route.abort());
  return context;
}

/** Signs in at the shop through oidc-provider's dev sign-in page. */
async function signInAtShop(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(shopApp.url);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.locator('input[name=login]').fill(email);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.waitForURL(`${shopApp.url}/`);
  return page;
}

describe('single sign-on across the demo shop and forum', () => {
  it('signs in at the shop, opens the forum signed in without a password, and logs out of both from the forum', async () => {
    const context = await newBrowserContext();
    const shopPage = await signInAtShop(context, 'ana@example.test');
    await assert.doesNotReject(shopPage.getByRole('heading', { name: 'Signed in as ana@example.test' }).waitFor());
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's locator, the text as a person sees it.
    assert.match(await shopPage.locator('dl').innerText(), /sub\s+ana@example\.test/);
    assert.deepEqual(await accessibilityViolations(shopPage), []);

    const forumPage = await context.newPage();
    const visited: string[] = [];
    forumPage.on('request', (request) => request.isNavigationRequest() && visited.push(request.url()));
    await forumPage.goto(forumApp.url);
    await forumPage.getByRole('heading', { name: 'Signed in as ana@example.test' }).waitFor();
    assert.ok(
      visited.some((u) => new URL(u).searchParams.get('prompt') === 'none'),
      'the forum asked Tessera silently',
    );
    assert.equal(
      visited.filter((u) => u.includes('/interaction/')).length,
      0,
      `no sign-in page on the forum: ${visited.join(' ')}`,
    );
    assert.equal(await forumPage.locator('input[type=password]').count(), 0);

    await forumPage.getByRole('button', { name: 'Log out' }).click();
    await forumPage.getByRole('button', { name: 'Yes, sign me out' }).click();
    await forumPage.waitForURL(`${forumApp.url}/`);
    await forumPage.getByRole('link', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await accessibilityViolations(forumPage), []);

    // Back-channel logout has reached the shop before Tessera sent the browser back to the forum.
    await shopPage.reload();
    await shopPage.getByRole('link', { name: 'Sign in' }).waitFor();
    assert.equal(await shopPage.getByText('Signed in as').count(), 0);
    await context.close();
  });
});

/** "name=value; …" for a Cookie header, from a response's Set-Cookie lines. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

describe('back-channel logout', () => {
  let cookies: string;
  let context: BrowserContext;

  before(async () => {
    context = await newBrowserContext();
    await signInAtShop(context, 'bo@example.test');
    cookies = (await context.cookies(shopApp.url)).map((c) => `${c.name}=${c.value}`).join('; ');
  });
  after(() => context.close());

  const signedIn = async () =>
    (await (await fetch(`${shopApp.url}/`, { headers: { cookie: cookies }, redirect: 'manual' })).text()).includes(
      'Signed in as',
    );
  const post = (body: Record<string, string>) =>
    fetch(`${shopApp.url}/backchannel-logout`, { method: 'POST', body: new URLSearchParams(body) });
  const event = { [BACKCHANNEL_LOGOUT_EVENT]: {} };

  async function logoutToken(claims: JWTPayload, o: { key?: JWK; alg?: string } = {}): Promise<string> {
    const jwk = o.key ?? provider.signingKey;
    return new SignJWT({ iss: provider.issuer, aud: shop.clientId, events: event, jti: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg: o.alg ?? 'ES256', kid: jwk.kid!, typ: 'logout+jwt' })
      .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
      .sign(await importJWK(jwk, 'ES256'));
  }

  it('refuses forged or malformed logout tokens with 400 and keeps the session', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const otherKey = { ...(await exportJWK(privateKey)), kid: provider.signingKey.kid };
    const unsigned = (payload: object) =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const iat = Math.floor(Date.now() / 1000);
    const forged: Array<[string, Record<string, string>]> = [
      ['signed with another key', { logout_token: await logoutToken({ sub: 'bo@example.test' }, { key: otherKey }) }],
      ['for another app (aud)', { logout_token: await logoutToken({ sub: 'bo@example.test', aud: forum.clientId }) }],
      [
        'from another issuer',
        { logout_token: await logoutToken({ sub: 'bo@example.test', iss: 'http://localhost:1' }) },
      ],
      ['without events', { logout_token: await logoutToken({ sub: 'bo@example.test', events: undefined }) }],
      [
        'with another event',
        { logout_token: await logoutToken({ sub: 'bo@example.test', events: { 'http://example.test/other': {} } }) },
      ],
      ['with a nonce (an ID token)', { logout_token: await logoutToken({ sub: 'bo@example.test', nonce: 'n' }) }],
      ['without sid or sub', { logout_token: await logoutToken({}) }],
      [
        'issued long ago',
        { logout_token: await logoutToken({ sub: 'bo@example.test', iat: iat - 3600, exp: iat - 3000 }) },
      ],
      [
        'unsigned (alg none)',
        {
          logout_token: unsigned({
            iss: provider.issuer,
            aud: shop.clientId,
            iat,
            events: event,
            sub: 'bo@example.test',
          }),
        },
      ],
      ['not a JWT', { logout_token: 'not-a-jwt' }],
      ['missing', {}],
    ];
    for (const [why, body] of forged) {
      const response = await post(body);
      assert.equal(response.status, 400, why);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_request', why);
    }
    assert.ok(await signedIn(), 'the session survives every forged token');
  });

  it('ends the sessions a valid token names, once', async () => {
    const otherSession = await post({ logout_token: await logoutToken({ sid: 'a-session-nobody-has' }) });
    assert.equal(otherSession.status, 200);
    assert.ok(await signedIn(), "another Tessera session's sid leaves this one alone");

    const token = await logoutToken({ sub: 'bo@example.test' });
    assert.equal((await post({ logout_token: token })).status, 200);
    assert.equal(await signedIn(), false);
    assert.equal((await post({ logout_token: token })).status, 400, 'a replayed jti is refused');
  });
});

describe('authorization requests and callbacks', () => {
  it('sends code + PKCE S256 requests with state and nonce, and prompt=create for sign-up', async () => {
    for (const [path, prompt] of [
      ['/login', null],
      ['/signup', 'create'],
    ] as const) {
      const response = await fetch(`${shopApp.url}${path}`, { redirect: 'manual' });
      assert.equal(response.status, 303);
      const url = new URL(response.headers.get('location')!);
      assert.equal(url.origin, provider.issuer);
      const p = url.searchParams;
      assert.equal(p.get('response_type'), 'code');
      assert.equal(p.get('client_id'), shop.clientId);
      assert.equal(p.get('redirect_uri'), `${shopApp.url}/callback`);
      assert.equal(p.get('code_challenge_method'), 'S256');
      assert.match(p.get('code_challenge')!, /^[\w-]{43}$/);
      assert.ok(p.get('state') && p.get('nonce'));
      assert.equal(p.get('prompt'), prompt);
      assert.match(response.headers.getSetCookie().join(), /HttpOnly; SameSite=Lax/);
    }
  });

  it('refuses a callback whose state is not the one it sent, and starts no session', async () => {
    const login = await fetch(`${shopApp.url}/login`, { redirect: 'manual' });
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const cookie = cookieHeader(login);

    const wrong = await fetch(`${shopApp.url}/callback?code=some-code&state=not-${state}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    assert.equal(wrong.status, 400);
    const page = await wrong.text();
    assert.match(page, /data-code="callback\.state_mismatch"/);
    assert.match(page, /role="alert"/);
    const names = cookieNames(shop.clientId);
    assert.ok(!wrong.headers.getSetCookie().some((c) => c.startsWith(`${names.session}=`)), 'no session cookie');

    // The sign-in was used up by the refused answer: the right state cannot be replayed after it.
    const replay = await fetch(`${shopApp.url}/callback?code=some-code&state=${state}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /data-code="callback\.no_pending"/);

    const home = await fetch(`${shopApp.url}/`, {
      headers: { cookie: `${cookie}; ${names.ssoChecked}=1` },
      redirect: 'manual',
    });
    assert.equal(home.status, 200);
    assert.doesNotMatch(await home.text(), /Signed in as/);
  });
});

describe('discovery', () => {
  it('waits for Tessera: a page says it is unreachable, and the next request after it is up works', async () => {
    const late = await listenTestProvider();
    const app = await startDemoApp({ ...shop, port: 0, issuer: late.issuer });
    try {
      const home = await fetch(`${app.url}/`, { redirect: 'manual' });
      assert.equal(home.status, 200, 'the start page works without Tessera, signed out');
      assert.deepEqual(home.headers.getSetCookie(), [], 'and the silent check is left for a later visit');

      const before = await fetch(`${app.url}/login`, { redirect: 'manual' });
      assert.equal(before.status, 503);
      assert.match(await before.text(), /data-code="issuer\.unreachable"/);

      late.start(demoClients({ shop: portOf(app) }).map((d) => d.client));
      const afterStart = await fetch(`${app.url}/login`, { redirect: 'manual' });
      assert.equal(afterStart.status, 303);
      assert.equal(new URL(afterStart.headers.get('location')!).origin, late.issuer);
      const homeAfterStart = await fetch(`${app.url}/`, { redirect: 'manual' });
      assert.equal(new URL(homeAfterStart.headers.get('location')!).searchParams.get('prompt'), 'none');
    } finally {
      await app.close();
      await late.close();
    }
  });
});
