import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, defaultPolicy, createSqlPolicyStore, cachedPolicyStore, type AppPolicy } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

const day = 24 * 3600 * 1000;
const goLive = Date.UTC(2026, 11, 1);
const vpn: AppPolicy = {
  appId: 'vpn',
  otp: 'required',
  goLiveAt: goLive,
  graceSeconds: 14 * 24 * 3600,
  groupOverrides: { 'Service Accounts': 'off', Contractors: 'required' },
};

describe('second-factor policy', () => {
  it('follows the go-live date: before the grace period, during it, and after', () => {
    const withoutToken = { groups: [], hasToken: false };
    const withToken = { groups: [], hasToken: true };
    assert.deepEqual(decide(vpn, withoutToken, goLive - 30 * day), {
      askCode: false,
      mustEnrol: false,
      suggestEnrol: false,
    });
    assert.deepEqual(
      decide(vpn, withoutToken, goLive - 7 * day),
      { askCode: false, mustEnrol: false, suggestEnrol: true },
      'prompted to register, not blocked',
    );
    assert.deepEqual(
      decide(vpn, withToken, goLive - 7 * day),
      { askCode: true, mustEnrol: false, suggestEnrol: false },
      'who has a token uses it',
    );
    assert.deepEqual(decide(vpn, withoutToken, goLive), { askCode: false, mustEnrol: true, suggestEnrol: false });
    assert.deepEqual(decide(vpn, withToken, goLive + day), { askCode: true, mustEnrol: false, suggestEnrol: false });
  });

  it('applies group overrides, the strictest group winning', () => {
    assert.equal(decide(vpn, { groups: ['Service Accounts'], hasToken: false }, goLive + day).mustEnrol, false);
    assert.equal(
      decide(vpn, { groups: ['Service Accounts', 'Contractors'], hasToken: false }, goLive + day).mustEnrol,
      true,
    );
    // The directory's spelling need not be the policy's: AD and OpenLDAP compare group names without case.
    assert.equal(decide(vpn, { groups: ['service accounts'], hasToken: false }, goLive + day).mustEnrol, false);
    assert.equal(
      decide(vpn, { groups: ['SERVICE ACCOUNTS', 'contractors'], hasToken: false }, goLive + day).mustEnrol,
      true,
      'the strictest still wins',
    );
    const optional = { ...defaultPolicy('webmail'), otp: 'optional' as const };
    assert.deepEqual(decide(optional, { groups: [], hasToken: true }, 0), {
      askCode: true,
      mustEnrol: false,
      suggestEnrol: false,
    });
    assert.deepEqual(decide(optional, { groups: [], hasToken: false }, 0), {
      askCode: false,
      mustEnrol: false,
      suggestEnrol: false,
    });
    assert.deepEqual(decide(defaultPolicy('shop'), { groups: [], hasToken: true }, 0), {
      askCode: false,
      mustEnrol: false,
      suggestEnrol: false,
    });
  });
});

for (const dialect of await testDialects()) {
  describe(`policy store on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    it('serves reads from a short cache: a save here is seen at once, one made by another node after the TTL', async () => {
      let now = 0;
      const shared = createSqlPolicyStore(fixture.store.db);
      const cached = cachedPolicyStore(shared, () => now, 1000);
      await cached.save({ ...vpn, appId: 'radius:cache' }, 1);
      assert.equal((await cached.find('radius:cache'))?.otp, 'required');
      await cached.save({ ...vpn, appId: 'radius:cache', otp: 'off' }, 2);
      assert.equal((await cached.find('radius:cache'))?.otp, 'off', 'own save invalidates');
      await shared.save({ ...vpn, appId: 'radius:cache', otp: 'optional' }, 3);
      assert.equal((await cached.find('radius:cache'))?.otp, 'off', "another node's save is not yet seen");
      now += 1001;
      assert.equal((await cached.find('radius:cache'))?.otp, 'optional', 'seen after the TTL');
    });

    it('saves, replaces and lists policies', async () => {
      const store = createSqlPolicyStore(fixture.store.db);
      await store.save(vpn, 1);
      await store.save({ ...vpn, otp: 'optional', groupOverrides: {} }, 2);
      assert.deepEqual(await store.find('vpn'), { ...vpn, otp: 'optional', groupOverrides: {} });
      assert.equal(await store.find('none'), undefined);
      assert.equal((await store.list()).filter((p) => p.appId === 'vpn').length, 1);
    });
  });
}
