// The served solver in a real browser (headless Chromium): it solves a challenge with Web Crypto, tells a screen
// reader what happens through the aria-live status, holds an early submit until done, and the server accepts the
// answer it wrote. Broken challenges end with the failure message, never a hang.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { manualClock } from '../clock/index.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import { createCaptcha, createSqlSpentSolutions, solverScriptPath } from './index.ts';

const solver = readFileSync(solverScriptPath, 'utf8');
const [dialect] = await testDialects();

const page = (challenge: string) => `<!doctype html><html lang="en"><head><title>Reset</title></head><body><main>
<form method="post" action="/submitted"><fieldset data-captcha='${challenge}' data-working="Checking that you are a person…" data-done="Done" data-failed="Failed">
<legend>Check that you are a person</legend><p data-captcha-status role="status" aria-live="polite"></p>
<input type="hidden" name="captcha" value=""></fieldset><button type="submit">Send</button></form>
<script src="/captcha.js"></script></main></body></html>`;

describe('captcha solver in Chromium', () => {
  const fixture = useMigratedStore(dialect);
  let browser: Browser;
  let server: Server;
  let origin = '';
  let html = '';
  const submitted: string[] = [];
  before(async () => {
    browser = await launchBrowser();
    // Served from http://127.0.0.1, a secure context, as the real pages are (Web Crypto needs one).
    server = createServer((req, res) => {
      if (req.url === '/captcha.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(solver);
      if (req.url === '/submitted') {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        return req.on('end', () => {
          submitted.push(new URLSearchParams(body).get('captcha') ?? '');
          res.end('<title>ok</title>ok');
        });
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('solves, announces progress and is accepted by the server once', async () => {
    const captcha = createCaptcha({
      hmacKey: 'browser-test-key-0123456789',
      spent: createSqlSpentSolutions(fixture.store.db),
      clock: manualClock(Date.now()),
      maxNumber: 50_000,
    });
    html = page(JSON.stringify(await captcha.challenge()));
    const tab = await browser.newPage();
    try {
      await tab.goto(origin);
      // Pressing Enter at once must not send an empty answer: the form waits for the solution.
      await tab.press('button', 'Enter');
      await tab.waitForURL(`${origin}/submitted`, { timeout: 30_000 });
      assert.equal(submitted.length, 1);
      await captcha.verify(submitted[0]);
      await assert.rejects(captcha.verify(submitted[0]), { code: 'captcha.replayed' });
      await tab.goto(origin);
      const status = tab.locator('[data-captcha-status]');
      await tab.waitForFunction(`document.querySelector('[data-captcha-status]')?.textContent === 'Done'`);
      assert.equal(await status.getAttribute('aria-live'), 'polite');
      assert.equal(await tab.locator('fieldset').getAttribute('aria-busy'), null);
    } finally {
      await tab.close();
    }
  });

  it('ends with the failure message on a challenge it cannot solve', async () => {
    const tab = await browser.newPage();
    try {
      for (const broken of [
        '{not json',
        JSON.stringify({ algorithm: 'SHA-256', challenge: '0'.repeat(64), maxnumber: 300, salt: 'x', signature: 'y' }),
      ]) {
        html = page(broken);
        await tab.goto(origin);
        await tab.waitForFunction(`document.querySelector('[data-captcha-status]')?.textContent === 'Failed'`);
        assert.equal(await tab.locator('input[name="captcha"]').inputValue(), '');
      }
    } finally {
      await tab.close();
    }
  });
});
