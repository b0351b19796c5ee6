// Nobody can keep a named person out by failing on purpose (checklist T47, T8): an attacker hammering an account's
// password on the sign-in page, on the VPN or on the reset page is throttled, while the right person signs in from
// elsewhere, from their own browser (device cookie), on the other channel, and still gets their reset link.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, solvedCaptcha, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';

const redirectUri = 'http://127.0.0.1:9/cb';
// Every request comes from 127.0.0.1, the trusted proxy; X-Forwarded-For says which client it stands for.
const behindProxy = { http: { trustProxy: ['127.0.0.1', '::1'] } };
type Agent = ReturnType<typeof createAgent>;

/** A browser at the sign-in page of the shop: posts a name and password from a client address. */
async function signInPage(tessera: RunningTessera, agent: Agent = createAgent()) {
  const page = await agent.follow(
    `${tessera.url}/oidc/auth?client_id=shop&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`,
    tessera.url,
  );
  const csrf = hiddenField(await page.response.text(), 'csrf');
  return {
    agent,
    async attempt(email: string, password: string, from: string) {
      const response = await agent.postForm(
        `${page.url}/login`,
        { csrf, email, password },
        { 'x-forwarded-for': from },
      );
      const text = await response.text();
      const done =
        response.status === 303
          ? await agent.follow(new URL(response.headers.get('location')!, tessera.url).toString(), tessera.url)
          : undefined;
      return {
        status: response.status,
        retryAfter: Number(response.headers.get('retry-after')),
        text,
        signedIn: done?.url.startsWith(redirectUri) ?? false,
        setCookie: response.headers.getSetCookie(),
      };
    },
  };
}

/**
 * The limits count in fixed 5-minute windows of the real clock: a test that began near a window's end would see its
 * counts reset halfway. Wait for the next window when fewer than `needMs` are left in this one.
 */
async function clearOfWindowEdge(needMs = 20_000, windowMs = 300_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** The same browser later, its session over: only the device cookie is left. */
function returningBrowser(agent: Agent): Agent {
  const later = createAgent();
  const device = agent.cookies.get('tessera_device');
  assert.ok(device, 'the browser kept a device cookie');
  later.cookies.set('tessera_device', device);
  return later;
}

async function guesses(tessera: RunningTessera, email: string, from: string, count: number): Promise<number[]> {
  const page = await signInPage(tessera);
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push((await page.attempt(email, `wrong guess ${i} ${randomBytes(3).toString('hex')}`, from)).status);
  return statuses;
}

for (const dialect of await testDialects()) {
  describe(`the right person signs in while the account is hammered, with the default limits, on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, behindProxy);
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: [redirectUri],
        first_party: true,
      });
    });
    after(() => tessera.stop());

    it('lets the correct password in from another address after 25 guesses from one address and 20 from each of three more (T47)', async () => {
      await clearOfWindowEdge();
      const email = `victim-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'the right passphrase' });
      const first = await guesses(tessera, email, '198.51.100.66', 25);
      assert.deepEqual(
        first,
        [...Array(20).fill(401), ...Array(5).fill(429)],
        'one address gets its own allowance only',
      );
      for (const from of ['198.51.100.67', '198.51.100.68', '2001:db8:66::1'])
        assert.deepEqual(await guesses(tessera, email, from, 20), Array(20).fill(401), from);
      const attacker = await (await signInPage(tessera)).attempt(email, 'the right passphrase', '198.51.100.66');
      assert.equal(attacker.status, 429, 'the attacker’s address waits, even with the right password');
      assert.ok(attacker.retryAfter > 0 && attacker.retryAfter <= 300);
      assert.match(attacker.text, /Too many attempts/);
      const owner = await (await signInPage(tessera)).attempt(email, 'the right passphrase', '203.0.113.5');
      assert.equal(owner.status, 303);
      assert.ok(owner.signedIn, 'the right person is signed in');
    });
  });

  describe(`device cookies keep the owner's browser in on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, {
        ...behindProxy,
        limits: {
          signInPerAccountSource: { limit: 3, windowSeconds: 300 },
          signInPerAccount: { limit: 6, windowSeconds: 300 },
          signInPerDevice: { limit: 3, windowSeconds: 300 },
        },
      });
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: [redirectUri],
        first_party: true,
      });
    });
    after(() => tessera.stop());

    it('signs the owner’s browser in while guesses from many addresses have spent the account’s limit, and throttles the rest (T47)', async () => {
      await clearOfWindowEdge();
      const email = `owner-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'the right passphrase' });
      await tessera.accounts.createByOperator({
        email: `attacker-${dialect}@example.com`,
        password: 'attacker passphrase',
      });
      const home = await signInPage(tessera);
      const first = await home.attempt(email, 'the right passphrase', '203.0.113.5');
      assert.ok(first.signedIn);
      const device = first.setCookie.find((c) => c.startsWith('tessera_device='));
      assert.match(
        device ?? '',
        /; Path=\/; Max-Age=15552000; HttpOnly; SameSite=Lax$/,
        'long-lived, HttpOnly, Lax (Secure only behind https)',
      );

      // Guesses from three addresses: 3 each pass, the account's limit of 6 is spent by the first two.
      assert.deepEqual(await guesses(tessera, email, '198.51.100.1', 4), [401, 401, 401, 429]);
      assert.deepEqual(await guesses(tessera, email, '198.51.100.2', 3), [401, 401, 401]);
      assert.deepEqual(await guesses(tessera, email, '198.51.100.3', 2), [429, 429]);
      // A browser the account never used waits (only guessing from many places reaches this)...
      const stranger = await (await signInPage(tessera)).attempt(email, 'the right passphrase', '203.0.113.77');
      assert.equal(stranger.status, 429);
      assert.ok(stranger.retryAfter > 0);
      // ...the owner's own browser does not, from wherever it is now.
      const owner = await (await signInPage(tessera, returningBrowser(home.agent))).attempt(
        email,
        'the right passphrase',
        '192.0.2.200',
      );
      assert.ok(owner.signedIn, `the owner signed in (${owner.status})`);

      // The attacker's own device cookie proves nothing for the victim's name; a forged one neither.
      const attackerHome = await signInPage(tessera);
      assert.ok(
        (await attackerHome.attempt(`attacker-${dialect}@example.com`, 'attacker passphrase', '198.51.100.9')).signedIn,
      );
      const withOwnCookie = await (await signInPage(tessera, returningBrowser(attackerHome.agent))).attempt(
        email,
        'guess with a cookie',
        '198.51.100.9',
      );
      assert.equal(withOwnCookie.status, 429);
      const forged = createAgent();
      forged.cookies.set(
        'tessera_device',
        `${randomBytes(16).toString('base64url')}.${Math.floor(Date.now() / 1000).toString(36)}.${randomBytes(16).toString('base64url')}`,
      );
      assert.equal(
        (await (await signInPage(tessera, forged)).attempt(email, 'guess with a forged cookie', '198.51.100.10'))
          .status,
        429,
      );

      // A device that keeps failing is throttled itself, and the next guesser too.
      const later = await signInPage(tessera, returningBrowser(home.agent));
      const ownerTypos = [];
      for (let i = 0; i < 4; i++) ownerTypos.push((await later.attempt(email, `typo ${i}`, '192.0.2.200')).status);
      assert.deepEqual(ownerTypos, [401, 401, 401, 429]);
      const stillThrottled = await (await signInPage(tessera)).attempt(email, 'one more guess', '198.51.100.11');
      assert.equal(stillThrottled.status, 429);
      assert.ok(stillThrottled.retryAfter > 0);
    });
  });

  describe(`the VPN and the sign-in page keep their own counts on ${dialect}`, () => {
    // Starts with '-', as one base64url secret in 64 does: radclient once took such a secret for an option.
    const secret = `-${randomBytes(24).toString('base64url')}`;
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, {
        ...behindProxy,
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
        limits: {
          signInPerAccountSource: { limit: 3, windowSeconds: 300 },
          signInPerAccount: { limit: 6, windowSeconds: 300 },
        },
      });
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: [redirectUri],
        first_party: true,
      });
    });
    after(() => tessera.stop());

    const vpn = (user: string, password: string, station?: string) =>
      radclient({
        port: tessera.radiusAddress()!.port,
        secret,
        command: 'auth',
        timeoutSeconds: 5,
        attributes: [
          `User-Name = "${user}"`,
          `User-Password = "${password}"`,
          'Message-Authenticator = 0x00',
          ...(station ? [`Calling-Station-Id = "${station}"`] : []),
        ],
      });
    // No reply at all: what radclient said instead, so that a failure shows it.
    const message = (reply: Awaited<ReturnType<typeof vpn>>) =>
      reply.code === null
        ? `no reply: ${reply.stderr}${reply.stdout}`
        : (reply.attributes.find((a) => a.name === 'Reply-Message')?.value ?? '');

    it('lets the right person onto the VPN while the sign-in page is hammered (T47)', async () => {
      await clearOfWindowEdge();
      const user = `staff-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      for (const from of ['198.51.100.21', '198.51.100.22', '198.51.100.23']) await guesses(tessera, user, from, 3);
      assert.equal(
        (await (await signInPage(tessera)).attempt(user, 'a vpn passphrase', '203.0.113.21')).status,
        429,
        'the web count is spent',
      );
      const accepted = await vpn(user, 'a vpn passphrase', '192.0.2.44');
      assert.equal(accepted.code, 'Access-Accept', message(accepted));
      assert.equal(
        (await vpn(user, 'a vpn passphrase')).code,
        'Access-Accept',
        'also from a gateway that names no client',
      );
    });

    it('lets the right person in on the web, and on the VPN from another client, while a VPN client guesses (T47)', async () => {
      await clearOfWindowEdge();
      const user = `staff2-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      const guessing = [];
      for (let i = 0; i < 5; i++) guessing.push(message(await vpn(user, `guess ${i}`, '192.0.2.66')));
      assert.deepEqual(
        guessing.map((m) => (/Too many wrong passwords/.test(m) ? 'throttled' : /incorrect/.test(m) ? 'wrong' : m)),
        ['wrong', 'wrong', 'wrong', 'throttled', 'throttled'],
      );
      assert.equal(
        (await vpn(user, 'a vpn passphrase', '192.0.2.66')).code,
        'Access-Reject',
        'the guessing client waits, even with the right password',
      );
      assert.equal(
        (await vpn(user, 'a vpn passphrase', '192.0.2.45')).code,
        'Access-Accept',
        'the right person’s client does not',
      );
      for (const station of ['192.0.2.67', '192.0.2.68'])
        for (let i = 0; i < 3; i++) await vpn(user, `guess ${i}`, station);
      assert.match(
        message(await vpn(user, 'a vpn passphrase', '192.0.2.69')),
        /Too many wrong passwords/,
        'the VPN count of the account is spent',
      );
      assert.ok(
        (await (await signInPage(tessera)).attempt(user, 'a vpn passphrase', '203.0.113.22')).signedIn,
        'the sign-in page is not',
      );
    });
  });

  describe(`reset links reach the owner while others ask for them on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, { ...behindProxy, accounts: { captchaMaxNumber: 1000 } });
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: [redirectUri],
        first_party: true,
      });
    });
    after(() => tessera.stop());

    async function requestReset(email: string, from: string, agent: Agent = createAgent()) {
      const page = await (await agent.request(`${tessera.url}/reset-password`)).text();
      const captcha = await solvedCaptcha(page);
      const response = await agent.request(`${tessera.url}/reset-password`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: hiddenField(page, 'csrf'), email, captcha }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
      });
      await response.text();
      return { status: response.status, retryAfter: Number(response.headers.get('retry-after')) };
    }
    const resetMails = async (email: string) =>
      (await tessera.outbox.recent({ to: email, limit: 50 })).filter((m) =>
        m.text.includes('/reset-password/new?token='),
      ).length;
    // A reset is answered before its mail is queued and audited; the test waits for both, so nothing is left
    // running when the server stops.
    const audited = async () =>
      (
        await tessera.store.db
          .selectFrom('audit_events')
          .select('outcome')
          .where('action', '=', 'account.reset_request')
          .execute()
      ).length;
    async function mailsReach(email: string, count: number) {
      for (let i = 0; i < 100 && ((await resetMails(email)) < count || (await audited()) < count); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await resetMails(email), count);
    }

    it('sends the owner a link while an attacker has spent their address’s allowance, and the owner’s browser one when all are spent (T47)', async () => {
      await clearOfWindowEdge(20_000, 3_600_000);
      const email = `reset-owner-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'the right passphrase' });
      const home = await signInPage(tessera);
      assert.ok((await home.attempt(email, 'the right passphrase', '203.0.113.5')).signedIn);

      const attacker = [];
      for (let i = 0; i < 6; i++) attacker.push(await requestReset(email, '198.51.100.66'));
      assert.deepEqual(
        attacker.map((a) => a.status),
        [200, 200, 200, 429, 429, 429],
      );
      assert.ok(attacker[3].retryAfter > 0);
      await mailsReach(email, 3);
      assert.equal((await requestReset(email, '203.0.113.5')).status, 200, 'the owner asks from elsewhere');
      await mailsReach(email, 4);

      // Asking from a second address spends the address's hourly mails (5): a browser it never used then waits...
      assert.deepEqual(
        [(await requestReset(email, '198.51.100.67')).status, (await requestReset(email, '198.51.100.67')).status],
        [200, 429],
      );
      assert.equal((await requestReset(email, '203.0.113.99')).status, 429, 'the mailbox is not flooded');
      // ...and the owner's own browser does not.
      assert.equal((await requestReset(email, '203.0.113.5', returningBrowser(home.agent))).status, 200);
      await mailsReach(email, 6);
    });
  });
}
