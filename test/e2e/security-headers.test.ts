// What a browser is told to enforce, and what a forged header can no longer change (checklist T48, T49): every kind of
// page carries the CSP, frame and sniffing headers and no-store; a page of another origin on the same site cannot
// frame Tessera; Chromium walks sign-in, the QR registration, form_post and the captcha with no CSP violation;
// Host / X-Forwarded-* never reach a URL; the sessions list shows the address Fastify derives from its proxy list;
// /metrics wants its bearer token.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { launchBrowser, accessibilityViolations } from '../support/browser.ts';
import { oathtool } from '../support/otp.ts';

const password = 'a long enough passphrase';
const metricsToken = 'scrape-token-0123456789abcdef';
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** A site of its own on another port of localhost: another origin, the same site (cookies marked Lax still go). */
async function startOtherOrigin() {
  const posted: string[] = [];
  let tesseraUrl = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/frame') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><title>Framer</title><h1>Framer</h1>
<iframe id="account" title="account" src="${tesseraUrl}/account"></iframe>
<iframe id="logout" title="logout" src="${tesseraUrl}/oidc/session/end"></iframe>`);
      return;
    }
    if (url.pathname === '/callback') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (req.method === 'POST') posted.push(body);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><title>App</title><h1>Back at the app (${req.method})</h1>`);
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    posted,
    setTessera(url: string) {
      tesseraUrl = url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A GET with exactly these headers, Host included (fetch would not send a Host of our choosing). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers every response carries; a page (HTML that can show who is signed in or a secret) is never stored either. */
function assertProtected(response: Response, what: string, kind: 'page' | 'other' = 'page') {
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors`);
  assert.match(csp, /default-src 'none'/, `${what}: default-src`);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: script-src`);
  assert.match(csp, /style-src 'self'(;|$)/, `${what}: style-src`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${what}: nothing unsafe`);
  assert.equal(response.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(response.headers.get('strict-transport-security'), null, `${what}: no HSTS over an http issuer`);
  if (kind === 'page') {
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/, `${what}: a page`);
    assert.equal(response.headers.get('cache-control'), 'no-store', `${what}: no-store`);
  }
}

type Agent = ReturnType<typeof createAgent>;

/** Follows redirects with the same extra headers on every hop, mapping the issuer's URLs to where the server listens. */
async function walk(
  agent: Agent,
  first: Response,
  from: string,
  headers: Record<string, string>,
  local: (url: string) => string,
) {
  let response = first;
  let url = from;
  while (response.status >= 300 && response.status < 400) {
    url = local(new URL(response.headers.get('location')!, url).toString());
    response = await agent.request(url, { headers });
  }
  return { response, url };
}

/** Signs in at the account site over HTTP, as a browser behind (or pretending to be behind) a proxy would. */
async function signInToAccount(
  tessera: RunningTessera,
  email: string,
  headers: Record<string, string> = {},
  issuer = tessera.url,
) {
  const agent = createAgent();
  const local = (url: string) => url.replace(issuer, tessera.url);
  const start = `${tessera.url}/account/login`;
  const signInPage = await walk(agent, await agent.request(start, { headers }), start, headers, local);
  const text = await signInPage.response.text();
  const posted = await agent.postForm(
    `${signInPage.url}/login`,
    { csrf: hiddenField(text, 'csrf'), email, password },
    headers,
  );
  const account = await walk(agent, posted, `${signInPage.url}/login`, headers, local);
  assert.equal(account.url, `${tessera.url}/account`);
  await account.response.text();
  return agent;
}

/** The account page once its sessions list shows `address` (the address is saved just after the sign-in). */
async function accountPageShowing(
  tessera: RunningTessera,
  agent: Agent,
  address: string,
  headers: Record<string, string> = {},
) {
  let page = '';
  for (let i = 0; i < 50; i++) {
    page = await (await agent.request(`${tessera.url}/account`, { headers })).text();
    if (page.includes(`<td>${address}</td>`)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return page;
}

function authorizeUrl(
  tessera: RunningTessera,
  clientId: string,
  redirectUri: string,
  extra: Record<string, string> = {},
) {
  return `${tessera.url}/oidc/auth?${new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  })}`;
}

/** Every CSP violation Chromium reports in this context, as the console and the securitypolicyviolation event say it. */
async function watchCsp(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))`,
  );
  context.on('console', (message) => {
    if (/Content Security Policy|CSP violation/i.test(message.text()))
      violations.push(`${message.page()?.url()}: ${message.text()}`);
  });
  return violations;
}

for (const dialect of await testDialects()) {
  describe(`security headers and forged headers on ${dialect}`, () => {
    let tessera: RunningTessera;
    let other: Awaited<ReturnType<typeof startOtherOrigin>>;
    let browser: Browser;
    let callback: string;

    before(async () => {
      other = await startOtherOrigin();
      callback = `${other.url}/callback`;
      // The proxy list names another machine: requests from 127.0.0.1 come straight from the client.
      tessera = await startTessera(dialect, {
        http: { trustProxy: ['192.0.2.1'] },
        metrics: { bearerToken: metricsToken },
        accounts: { captchaMaxNumber: 5000 },
      });
      other.setTessera(tessera.url);
      await tessera.clients.add({
        client_id: 'portal',
        client_name: 'Portal',
        redirect_uris: [callback],
        first_party: true,
      });
      await tessera.policies.save(
        { appId: 'portal', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await tessera?.stop();
      await other?.close();
    });

    it('puts the CSP, frame, nosniff and referrer headers on every kind of response, and no-store on every page', async () => {
      await tessera.accounts.createByOperator({ email: `pages-${dialect}@example.com`, password });
      const agent = createAgent();
      // An interaction's sign-in page, then the OTP registration page with the secret and its QR code.
      const signInPage = await agent.follow(authorizeUrl(tessera, 'portal', callback), tessera.url);
      assertProtected(signInPage.response, 'sign-in page');
      const signInText = await signInPage.response.text();
      assert.doesNotMatch(signInText, /<style|style="/, 'no inline style');
      assert.match(signInText, /<link rel="stylesheet" href="\/static\/tessera\.css\?v=[0-9a-f]{12}">/);
      const posted = await agent.postForm(`${signInPage.url}/login`, {
        csrf: hiddenField(signInText, 'csrf'),
        email: `pages-${dialect}@example.com`,
        password,
      });
      const enrol = await agent.follow(new URL(posted.headers.get('location')!, tessera.url).toString(), tessera.url);
      const enrolText = await enrol.response.text();
      assert.match(enrolText, /Register your OTP app/);
      assert.match(enrolText, /<img src="data:image\/svg\+xml;base64,/);
      assertProtected(enrol.response, 'OTP registration page');
      // The sign-in is done once the new app's first code is in (until then the person is signed in nowhere).
      const key = enrolText.match(/id="otp-key"[^>]*>([A-Z2-7 ]+)</)![1].replace(/ /g, '');
      const registered = await agent.postForm(`${enrol.url}/otp`, {
        csrf: hiddenField(enrolText, 'csrf'),
        enrolment: hiddenField(enrolText, 'enrolment'),
        code: oathtool(key),
      });
      await agent.follow(new URL(registered.headers.get('location')!, tessera.url).toString(), tessera.url);

      // The account page (signed in by the same SSO session), oidc-provider's logout confirmation and its error page.
      const account = await agent.request(`${tessera.url}/account`);
      assert.match(await account.text(), /Your account/);
      assertProtected(account, '/account');
      const logout = await agent.request(`${tessera.url}/oidc/session/end`, { headers: { accept: 'text/html' } });
      assert.match(await logout.text(), /Yes, sign me out/);
      assertProtected(logout, 'logout confirmation');
      const providerError = await fetch(`${tessera.url}/oidc/auth?client_id=no-such-app`, {
        headers: { accept: 'text/html' },
      });
      assert.equal(providerError.status, 400);
      assert.match(await providerError.text(), /invalid_client|invalid_request/);
      assertProtected(providerError, 'oidc-provider error page');
      const notFound = await fetch(`${tessera.url}/no-such-page`, { headers: { accept: 'text/html' } });
      assert.equal(notFound.status, 404);
      assertProtected(notFound, 'not-found page');

      // The reset page with the captcha, and the files it loads: cacheable, with their own types.
      const reset = await fetch(`${tessera.url}/reset-password`);
      assert.match(await reset.text(), /<script src="\/static\/captcha\.js" defer><\/script>/);
      assertProtected(reset, 'reset page');
      for (const [path, type] of [
        ['/static/captcha.js', /^text\/javascript/],
        ['/static/tessera.css', /^text\/css/],
      ] as const) {
        const asset = await fetch(`${tessera.url}${path}`);
        assertProtected(asset, path, 'other');
        assert.match(asset.headers.get('content-type') ?? '', type);
        assert.match(asset.headers.get('cache-control') ?? '', /^public, max-age=\d+/, `${path} is cacheable`);
      }

      // Discovery (cacheable: it holds nothing personal and, now, nothing from the request) and /metrics.
      const discovery = await fetch(`${tessera.url}/.well-known/openid-configuration`);
      assertProtected(discovery, 'discovery', 'other');
      assert.equal(discovery.headers.get('cache-control'), 'public, max-age=300');
      const metrics = await fetch(`${tessera.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      assert.equal(metrics.status, 200);
      assertProtected(metrics, '/metrics', 'other');
    });

    it('answers /metrics only with its bearer token', async () => {
      for (const authorization of [
        undefined,
        'Bearer not-the-token-at-all-0000',
        `Basic ${Buffer.from(`x:${metricsToken}`).toString('base64')}`,
        `Bearer ${metricsToken}x`,
        `Bearer  ${metricsToken}`,
      ]) {
        const refused = await fetch(`${tessera.url}/metrics`, { headers: authorization ? { authorization } : {} });
        assert.equal(refused.status, 401, `refused with ${authorization}`);
        assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer /);
        assert.doesNotMatch(await refused.text(), /tessera_/, 'no metric leaks');
      }
      const allowed = await fetch(`${tessera.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      assert.equal(allowed.status, 200);
      assert.match(await allowed.text(), /tessera_http_requests_total/);
      assert.equal((await fetch(`${tessera.url}/healthz`)).status, 200, 'health stays open for load balancers');
    });

    it('shows no Tessera page inside a frame of another origin on the same site', async () => {
      await tessera.accounts.createByOperator({ email: `framed-${dialect}@example.com`, password });
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${tessera.url}/account/login`);
      await page.getByLabel('E-mail address').fill(`framed-${dialect}@example.com`);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();

      await page.goto(`${other.url}/frame`);
      await page.getByRole('heading', { name: 'Framer' }).waitFor();
      const frames = page.frames().filter((f) => f !== page.mainFrame());
      assert.equal(frames.length, 2);
      for (const frame of frames) {
        const text = (await frame.evaluate('document.body ? document.body.innerText : ""').catch(() => '')) as string;
        assert.doesNotMatch(
          text,
          /Your account|Sign out|Yes, sign me out|Tessera/,
          `framed ${frame.url()} shows nothing of Tessera`,
        );
        assert.equal(await frame.getByRole('button', { name: 'Yes, sign me out' }).count(), 0);
      }
      // Still signed in: nothing in the frames could be clicked.
      await page.goto(`${tessera.url}/account`);
      await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
      await context.close();
    });

    it('walks sign-in, QR registration, form_post, sign-out and the captcha reset in Chromium with no CSP violation', async () => {
      const email = `walker-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const context = await browser.newContext();
      const violations = await watchCsp(context);
      const page: Page = await context.newPage();

      await page.goto(authorizeUrl(tessera, 'portal', callback));
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // The stylesheet is a file of Tessera's, allowed by style-src 'self'.
      assert.equal(
        await page.evaluate(`getComputedStyle(document.querySelector('button[type=submit]')).backgroundColor`),
        'rgb(29, 78, 216)',
      );
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByRole('heading', { name: 'Register your OTP app' }).waitFor();
      const qr = page.getByRole('img', { name: 'QR code to register your OTP app' });
      assert.ok(await qr.isVisible());
      // Polled through the DevTools protocol: waitForFunction would evaluate a string in the page, which the CSP forbids.
      const drawn = () =>
        page.evaluate(
          `(() => { const img = document.querySelector('main img'); return img.complete && img.naturalWidth > 0; })()`,
        );
      for (let i = 0; i < 50 && !(await drawn()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(await drawn(), 'the QR code is drawn');
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByLabel('OTP code').fill(oathtool((await page.locator('#otp-key').textContent())!));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.toString().startsWith(callback));
      await page.getByRole('heading', { name: 'Back at the app (GET)' }).waitFor();

      // oidc-provider's form_post page: its inline script runs by the hash oidc-provider adds to script-src.
      await page.goto(authorizeUrl(tessera, 'portal', callback, { response_mode: 'form_post' }));
      await page.getByRole('heading', { name: 'Back at the app (POST)' }).waitFor();
      assert.match(other.posted.at(-1) ?? '', /(^|&)code=/);

      await page.goto(`${tessera.url}/account`);
      await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
      assert.equal(
        await page.evaluate(`getComputedStyle(document.querySelector('main')).maxWidth`),
        '960px',
        'the wide layout is a class now',
      );
      assert.deepEqual(await accessibilityViolations(page), []);

      await page.goto(`${tessera.url}/oidc/session/end`);
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page.getByRole('heading', { name: 'Signed out' }).waitFor();
      // Without a session, oidc-provider posts its own confirmation form by an inline script: allowed by its hash.
      await page.goto(`${tessera.url}/oidc/session/end`);
      await page.getByRole('heading', { name: 'Signed out' }).waitFor();

      await page.goto(`${tessera.url}/reset-password`);
      await page.getByText('Check done. You can continue.').waitFor();
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText(`If an account exists for ${email}`).waitFor();

      assert.deepEqual(violations, []);
      await context.close();
    });

    it('builds discovery and the logout form from the issuer, whatever Host and X-Forwarded-* say', async () => {
      await tessera.accounts.createByOperator({ email: `host-${dialect}@example.com`, password });
      const agent = await signInToAccount(tessera, `host-${dialect}@example.com`);
      const cookie = [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const forgeries: Record<string, string>[] = [
        { host: 'evil.example' },
        { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        { host: 'evil.example', 'x-forwarded-host': 'evil.example:8443', forwarded: 'host=evil.example;proto=https' },
      ];
      for (const forged of forgeries) {
        const discovery = await rawGet(`${tessera.url}/.well-known/openid-configuration`, forged);
        assert.equal(discovery.status, 200);
        assert.doesNotMatch(discovery.body, /evil/, `discovery with ${JSON.stringify(forged)}`);
        const document = JSON.parse(discovery.body) as Record<string, unknown>;
        const urls = Object.entries(document).filter(
          ([key, value]) =>
            typeof value === 'string' && (key.endsWith('_endpoint') || key.endsWith('_uri') || key === 'issuer'),
        );
        assert.ok(urls.length >= 5);
        for (const [key, value] of urls)
          assert.ok(String(value).startsWith(`${tessera.url}/`) || value === tessera.url, `${key}: ${value}`);
        assert.equal(discovery.headers['cache-control'], 'public, max-age=300');

        const logout = await rawGet(`${tessera.url}/oidc/session/end`, { ...forged, cookie, accept: 'text/html' });
        assert.equal(logout.status, 200);
        assert.match(
          logout.body,
          new RegExp(`<form id="op.logoutForm" method="post" action="${tessera.url}/oidc/session/end/confirm">`),
        );
        assert.doesNotMatch(logout.body, /evil/);
      }
    });

    it('shows the real peer address on the sessions page, not an X-Forwarded-For from a peer that is no trusted proxy', async () => {
      const email = `forger-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      const forged = { 'x-forwarded-for': '203.0.113.7' };
      const agent = await signInToAccount(tessera, email, forged);
      const page = await accountPageShowing(tessera, agent, '127.0.0.1', forged);
      assert.match(page, /<td>127\.0\.0\.1<\/td>/, 'the peer the connection came from');
      assert.doesNotMatch(page, /203\.0\.113\.7/, 'the forged address is shown nowhere');
    });
  });

  describe(`behind a trusted proxy at an https issuer on ${dialect}`, () => {
    const issuer = 'https://id.example.test';
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, { issuer, http: { trustProxy: ['127.0.0.1'] } });
    });
    after(async () => {
      await tessera?.stop();
    });

    it('shows on the sessions page the client address the trusted proxy reported, not the hops the client wrote', async () => {
      // Each proxy appends the address it saw: the right-most hop not a trusted proxy is the client (as Fastify reads
      // it); the left-most is whatever the client wrote, and must not be believed.
      const email = `proxied-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password });
      // What a TLS-terminating proxy sends, after a client that wrote its own X-Forwarded-For.
      const forwarded = {
        'x-forwarded-for': '198.51.100.9, 203.0.113.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'id.example.test',
      };
      const agent = await signInToAccount(tessera, email, forwarded, issuer);
      const account = await accountPageShowing(tessera, agent, '203.0.113.7', forwarded);
      assert.match(account, /<td>203\.0\.113\.7<\/td>/, 'the client address the trusted proxy reported');
      assert.doesNotMatch(account, /198\.51\.100\.9/, 'not the hop the client wrote itself');
    });

    it("sends HSTS and keeps to the issuer's URLs, whatever the proxy says the host and scheme are", async () => {
      const page = await fetch(`${tessera.url}/reset-password`);
      assert.equal(page.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
      const discovery = await rawGet(`${tessera.url}/.well-known/openid-configuration`, {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'http',
      });
      assert.equal(discovery.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
      assert.equal(JSON.parse(discovery.body).authorization_endpoint, `${issuer}/oidc/auth`);
      assert.doesNotMatch(discovery.body, /evil|http:/);
    });
  });
}
