// The app's window (a page on 127.0.0.1): only its own secret URL, its own Host and its own origin get an answer;
// the PIN unlocks the code, whose JSON the page polls; Change PIN keeps the codes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Server } from 'node:http';
import { base32Encode } from '../../../src/otp/index.ts';
import { createDesktopToken, fileVaultStore, type DesktopToken, type SerialPorts } from '../core/index.ts';
import { tesseraApi } from './api.ts';
import { startPage } from './page.ts';
import { inLocale } from '../../../src/i18n/index.ts';

const device: SerialPorts = {
  platform: 'linux',
  env: {},
  testSwitches: false,
  readFile: async () => 'PF2ABCDE',
  run: async () => '',
};

describe("the app's local page", () => {
  let dir: string;
  let token: DesktopToken;
  let url: string;
  let server: Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'desktop-page-'));
    token = createDesktopToken({
      store: fileVaultStore(join(dir, 'vault.json')),
      serial: device,
      now: () => Date.now(),
      kdf: { memoryKiB: 1024, passes: 1, parallelism: 1 },
    });
    const contents = {
      seed: base32Encode(Buffer.alloc(20, 9)),
      tokenSerial: 'TOTD00AA11BB22',
      server: 'http://127.0.0.1:9',
      account: 'jsmith',
      registeredAt: 0,
    };
    await token.store(contents, '246810', await token.deviceProof());
    // Tessera unreachable: the page says it could not check the clock.
    ({ url, server } = await startPage({ token, api: (s) => tesseraApi(s) }));
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(new URL(path, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin, ...headers },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });

  it("speaks the system's language: a window opened in Romanian answers in Romanian (issue 22)", async () => {
    const romanian = await inLocale('ro', () => startPage({ token, api: (s) => tesseraApi(s) }));
    try {
      const page = await (await fetch(romanian.url)).text();
      assert.match(page, /<html lang="ro">/);
      assert.match(page, /Înregistrare nouă/);
      assert.match(page, /Schimbați PIN-ul/);
    } finally {
      romanian.server.close();
    }
    assert.match(await (await fetch(url)).text(), /<html lang="en">/, 'the English window stays English');
  });

  it('answers nothing without the secret, under another Host name, or to a form from another origin', async () => {
    const origin = new URL(url).origin;
    assert.equal((await fetch(`${origin}/`)).status, 404);
    assert.equal((await fetch(`${origin}/${'A'.repeat(32)}/`)).status, 404);
    // DNS rebinding: a name that resolves to 127.0.0.1 is still not this page's Host.
    const rebound = await fetch(url.replace('127.0.0.1', 'localhost'));
    assert.equal(rebound.status, 404);
    assert.equal((await post('unlock', { pin: '246810' }, { origin: 'https://evil.example' })).status, 403);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(await page.text(), /Enter your PIN/);
    assert.equal((await fetch(new URL('code.json', url))).status, 401);
  });

  it('unlocks with the PIN, shows the code and seconds left, and says the tries left after a wrong PIN', async () => {
    const wrong = await (await post('unlock', { pin: 'not-my-pin' })).text();
    assert.match(wrong, /Wrong PIN \(or this token file was registered on another PC\)\. 9 tries left/);
    const unlocked = await post('unlock', { pin: '246810' });
    assert.equal(unlocked.status, 303);
    const page = await (await fetch(url)).text();
    assert.match(page, /class="code" id="code"[^>]*>\d{6}</);
    assert.match(page, /<span id="left">\d+<\/span> s left\. Token TOTD00AA11BB22/);
    assert.match(page, /Could not ask Tessera for its time/);
    assert.match(page, /<script nonce="[^"]+">/);
    const json = (await (await fetch(new URL('code.json', url))).json()) as { code: string; secondsLeft: number };
    assert.match(json.code, /^\d{6}$/);
    assert.ok(json.secondsLeft >= 1 && json.secondsLeft <= 30);
  });

  it('changes the PIN from the page; the codes stay the same', async () => {
    const before = (await token.open('246810')).code(Date.now()).code;
    const differ = await (await post('change-pin', { old: '246810', pin: '11223344', again: '11223355' })).text();
    assert.match(differ, /The two new PINs differ/);
    const done = await (await post('change-pin', { old: '246810', pin: '11223344', again: '11223344' })).text();
    assert.match(done, /PIN changed\. Your codes stay the same\./);
    assert.equal((await token.open('11223344')).code(Date.now()).code, before);
  });

  it('starts a registration with the address typed, and says plainly when Tessera cannot be reached', async () => {
    const form = await (await fetch(new URL('register', url))).text();
    assert.match(form, /IT code/);
    const refused = await (
      await post('register', { step: 'start', server: 'http://127.0.0.1:9', name: 'jsmith', password: 'x' })
    ).text();
    assert.match(refused, /Tessera cannot be reached/);
    const plain = await (
      await post('register', { step: 'start', server: 'http://id.example.com', name: 'a', password: 'b' })
    ).text();
    assert.match(plain, /https only/);
  });
});
