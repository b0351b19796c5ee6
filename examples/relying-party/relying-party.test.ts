// The demo shop and forum against a real oidc-provider, driven by headless Chromium: sign in once, be signed in at
// both (silent SSO); log out at one, be logged out at both (back-channel logout); forged answers change nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload } from 'jose';
import { demoClients } from '../demo-clients.ts';
import { forum } from '../forum/index.ts';
import { shop } from '../shop/index.ts';
import { cookieNames, startDemoApp, type DemoApp } from './index.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from './logout-token.ts';
import { listenTestProvider, type TestProvider } from './test-provider.ts';

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
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const result: { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> } =
    await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`);
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

describe('single sign-on across the demo shop and forum', () => {
  it('signs in at the shop, opens the forum signed in without a password, and logs out of both from the forum', async () => {
    const context = await newBrowserContext();
    const shopPage = await signInAtShop(context, 'ana@example.test');
    await assert.doesNotReject(shopPage.getByRole('heading', { name: 'Signed in as ana@example.test' }).waitFor());
    assert.match(await shopPage.locator('dl').innerText(), /sub\s+ana@example\.test/);
    assert.deepEqual(await accessibilityViolations(shopPage), []);

    const forumPage = await context.newPage();
    const visited: string[] = [];
    forumPage.on('request', (request) => request.isNavigationRequest() && visited.push(request.url()));
    await forumPage.goto(forumApp.url);
    await forumPage.getByRole('heading', { name: 'Signed in as ana@example.test' }).waitFor();
    assert.ok(visited.some((u) => new URL(u).searchParams.get('prompt') === 'none'), 'the forum asked Tessera silently');
    assert.equal(visited.filter((u) => u.includes('/interaction/')).length, 0, `no sign-in page on the forum: ${visited.join(' ')}`);
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
