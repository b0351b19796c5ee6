// Per-source limits behind a reverse proxy: the client address comes from X-Forwarded-For, and an IPv6 client is
// counted per /64, the block a subscriber holds, so stepping through its addresses earns no fresh allowance (T8).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/databases.ts';
import { startTessera, createAgent, hiddenField, type RunningTessera } from '../support/tessera.ts';
import { accountKey, sourceKey } from '../../src/ratelimit/index.ts';

describe('limit counter keys', () => {
  it('counts IPv6 per /64 in every spelling, IPv4 per address, and account names without case or form', () => {
    const subscriber = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002::abcd',
      '[2001:db8:1:2::9]',
    ];
    assert.deepEqual(new Set(subscriber.map((a) => sourceKey('signin', a))), new Set(['signin:ip:2001:db8:1:2::/64']));
    assert.notEqual(
      sourceKey('signin', '2001:db8:1:3::1'),
      sourceKey('signin', '2001:db8:1:2::1'),
      'the next /64 is someone else',
    );
    assert.notEqual(sourceKey('signin', '198.51.100.7'), sourceKey('signin', '198.51.100.8'));
    assert.notEqual(
      sourceKey('signin', '198.51.100.7'),
      sourceKey('reset', '198.51.100.7'),
      'actions are counted apart',
    );
    assert.equal(accountKey('signin', ' Ana@Example.COM '), accountKey('signin', 'ana@example.com'));
    assert.equal(accountKey('signin', 'Jose\u0301'), accountKey('signin', 'jos\u00e9'));
  });
});

for (const dialect of await testDialects()) {
  describe(`sign-in limits per source behind a proxy on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      tessera = await startTessera(dialect, {
        http: { trustProxy: ['127.0.0.1', '::1'] },
        limits: { signInPerSource: { limit: 3, windowSeconds: 300 } },
      });
      await tessera.clients.add({
        client_id: 'shop',
        client_name: 'Shop',
        redirect_uris: ['http://127.0.0.1:9/cb'],
        first_party: true,
      });
    });
    after(() => tessera.stop());

    it('throttles a guesser that steps through the addresses of one IPv6 /64, and no one else', async () => {
      const agent = createAgent();
      const page = await agent.follow(
        `${tessera.url}/oidc/auth?client_id=shop&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`,
        tessera.url,
      );
      const csrf = hiddenField(await page.response.text(), 'csrf');
      // A different account each time, so only the per-source count can stop it.
      const guess = (i: number, from: string) =>
        agent.postForm(
          `${page.url}/login`,
          { csrf, email: `person${i}@example.com`, password: `guess number ${i}` },
          { 'x-forwarded-for': from },
        );
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await guess(i, `2001:db8:1:2::${i + 1}`)).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      const throttled = await guess(9, '2001:db8:1:2:dead:beef:0:1');
      assert.equal(throttled.status, 429);
      assert.match(await throttled.text(), /Too many attempts/);
      assert.equal((await guess(10, '2001:db8:1:3::1')).status, 401, 'the neighbouring /64 is not held back');
      assert.equal((await guess(11, '198.51.100.7')).status, 401, 'nor an IPv4 client');
    });
  });
}
