import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError, portInUse } from './config.ts';

const noFile = join(tmpdir(), 'tessera-no-such-config.json');

describe('configuration', () => {
  it('runs on a laptop with no configuration at all', () => {
    const config = loadConfig({ env: {}, file: noFile });
    assert.equal(config.http.port, 8080);
    assert.equal(config.issuer, 'http://localhost:8080');
    assert.match(config.databaseUrl, /^sqlite:.*data\/tessera\.db$/);
  });

  it('lets TESSERA_* variables override the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
    const file = join(dir, 'tessera.config.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9000 }, issuer: 'https://id.example.com' }));
    const config = loadConfig({
      file,
      env: {
        TESSERA_HTTP_PORT: '9100',
        TESSERA_DATABASE_URL: 'postgres://db/tessera',
        TESSERA_DATA_DIR: '/var/lib/tessera',
      },
    });
    assert.equal(config.http.port, 9100);
    assert.equal(config.issuer, 'https://id.example.com');
    assert.equal(config.databaseUrl, 'postgres://db/tessera');
    assert.equal(config.dataDir, '/var/lib/tessera');
  });

  it('puts the demo apps on 8081 and 8082 unless their variables move them', () => {
    assert.deepEqual(loadConfig({ env: {}, file: noFile }).demoApps, { shopPort: 8081, forumPort: 8082 });
    const env = { TESSERA_DEMO_APPS_SHOP_PORT: '9081', TESSERA_DEMO_APPS_FORUM_PORT: '9082' };
    const moved = loadConfig({ env, file: noFile });
    assert.deepEqual(moved.demoApps, { shopPort: 9081, forumPort: 9082 });
  });

  it('names a taken port by its key and variable, in one line', () => {
    const err = portInUse('radius.accountingPort', 1813, '127.0.0.1');
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'config.port_in_use');
    assert.equal(
      err.message,
      'radius.accountingPort 1813 (TESSERA_RADIUS_ACCOUNTING_PORT) is already in use on ' +
        '127.0.0.1: stop the other process or choose another port',
    );
  });

  it('stops with a message naming the key and its variable', () => {
    assert.throws(
      () => loadConfig({ file: noFile, env: { TESSERA_HTTP_PORT: 'eighty' } }),
      (err: Error) => err instanceof ConfigError && /http\.port \(TESSERA_HTTP_PORT\)/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ file: noFile, env: { TESSERA_DATABASE_URL: 'mysql://x' } }),
      /databaseUrl \(TESSERA_DATABASE_URL\): must start with sqlite: or postgres/,
    );
    assert.throws(
      () => loadConfig({ file: noFile, env: { TESSERA_ISSUER: 'javascript:alert(1)' } }),
      /issuer \(TESSERA_ISSUER\)/,
    );
    assert.throws(
      () => loadConfig({ file: noFile, env: { TESSERA_SESSIONS_ABSOLUTE_SECONDS: '172800' } }),
      /sessions\.absoluteSeconds/,
    );
    for (const url of ['http://redis:6379', 'redis', 'localhost:6379'])
      assert.throws(
        () => loadConfig({ file: noFile, env: { TESSERA_CLUSTER_REDIS_URL: url } }),
        /cluster\.redisUrl \(TESSERA_CLUSTER_REDIS_URL\): must be a redis:\/\/ or rediss:\/\/ URL/,
      );
    const secret = 'redis://:s3cret-pass@cache:6379/2';
    assert.equal(loadConfig({ file: noFile, env: { TESSERA_CLUSTER_REDIS_URL: secret } }).cluster.redisUrl, secret);
  });

  it('asks 15-character passwords alone and 8 with a second factor by default, and never fewer than 8 (NIST SP 800-63B rev 4)', () => {
    const defaults = loadConfig({ env: {}, file: noFile });
    assert.equal(defaults.accounts.passwordMinLength, 15);
    assert.equal(defaults.accounts.passwordMinLengthWithSecondFactor, 8);
    const set = loadConfig({
      file: noFile,
      env: {
        TESSERA_ACCOUNTS_PASSWORD_MIN_LENGTH: '20',
        TESSERA_ACCOUNTS_PASSWORD_MIN_LENGTH_WITH_SECOND_FACTOR: '12',
      },
    });
    assert.deepEqual([set.accounts.passwordMinLength, set.accounts.passwordMinLengthWithSecondFactor], [20, 12]);
    assert.throws(
      () => loadConfig({ file: noFile, env: { TESSERA_ACCOUNTS_PASSWORD_MIN_LENGTH: '6' } }),
      /accounts\.passwordMinLength \(TESSERA_ACCOUNTS_PASSWORD_MIN_LENGTH\)/,
    );
    assert.throws(
      () => loadConfig({ file: noFile, env: { TESSERA_ACCOUNTS_PASSWORD_MIN_LENGTH_WITH_SECOND_FACTOR: '7' } }),
      /accounts\.passwordMinLengthWithSecondFactor/,
    );
  });

  it('takes reply attributes by name or by vendor number, and refuses at start any a gateway could not be sent', () => {
    const config = loadConfig({
      file: noFile,
      env: {},
      overrides: {
        radiusGroupAttributes: {
          Staff: [
            { name: 'Filter-Id', value: 'staff' },
            { vendor: 12356, type: 1, value: 'staff' },
            { vendor: 9, type: 2, value: 7 },
          ],
        },
      },
    });
    assert.deepEqual(config.radiusGroupAttributes.Staff, [
      { name: 'Filter-Id', value: 'staff' },
      { vendorId: 12356, type: 1, value: Buffer.from('staff') },
      { vendorId: 9, type: 2, value: Buffer.from([0, 0, 0, 7]) },
    ]);
    const refused = (attribute: Record<string, unknown>, problem: RegExp) =>
      assert.throws(
        () =>
          loadConfig({ file: noFile, env: {}, overrides: { radiusGroupAttributes: { Staff: [attribute] } } as never }),
        (err: Error) =>
          err instanceof ConfigError &&
          /radiusGroupAttributes\.Staff\.0/.test(err.message) &&
          problem.test(err.message),
        JSON.stringify(attribute),
      );
    refused({ name: 'Filter-Idd', value: 'staff' }, /Unknown attribute Filter-Idd/);
    // Group names compare without case, so two spellings of one group would be two lists for one group.
    assert.throws(
      () =>
        loadConfig({
          file: noFile,
          env: {},
          overrides: {
            radiusGroupAttributes: { Staff: [{ name: 'Class', value: 'a' }], STAFF: [{ name: 'Class', value: 'b' }] },
          },
        }),
      (err: Error) =>
        err instanceof ConfigError && /radiusGroupAttributes\.STAFF .*is the group "Staff" too/.test(err.message),
    );
    refused({ name: 'Session-Timeout', value: 'an hour' }, /Session-Timeout: needs an unsigned 32-bit integer/);
    refused({ name: 'State', value: 'forged' }, /sets attribute 24 itself/);
    refused({ name: 'Message-Authenticator', value: 'x'.repeat(16) }, /sets attribute 80 itself/);
    refused({ vendor: 0, type: 1, value: 'x' }, /vendor/);
    refused({ vendor: 12356, type: 256, value: 'x' }, /type/);
    refused({ vendor: 12356, type: 1, value: 'x'.repeat(300) }, /over 253 octets/);
    refused({ vendor: 12356, type: 1, value: '' }, /value/);
  });

  it('names a configuration file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
    const file = join(dir, 'tessera.config.json');
    writeFileSync(file, '{ port: 80');
    assert.throws(() => loadConfig({ file, env: {} }), /tessera\.config\.json is not valid JSON/);
  });

  it('takes a default language Tessera has a catalogue for, naming the key otherwise (issue 22)', () => {
    assert.equal(loadConfig({ env: {}, file: noFile }).i18n.defaultLocale, 'en');
    assert.equal(loadConfig({ env: { TESSERA_I18N_DEFAULT_LOCALE: 'ro' }, file: noFile }).i18n.defaultLocale, 'ro');
    for (const tag of ['xx', 'ro-RO', '__proto__'])
      assert.throws(
        () => loadConfig({ env: { TESSERA_I18N_DEFAULT_LOCALE: tag }, file: noFile }),
        /i18n\.defaultLocale \(TESSERA_I18N_DEFAULT_LOCALE\): must be one of the catalogues: en, ro/,
      );
  });

  it('keeps the attempt counters in Redis only with the Redis named, naming both settings otherwise, and refuses a kind it does not know', () => {
    assert.throws(
      () => loadConfig({ env: { TESSERA_LIMITS_COUNTERS: 'redis' }, file: noFile }),
      (err: Error) =>
        /limits\.counters \(TESSERA_LIMITS_COUNTERS\): is redis, but cluster\.redisUrl \(TESSERA_CLUSTER_REDIS_URL\) is not set/.test(
          err.message,
        ),
    );
    assert.throws(
      () => loadConfig({ env: { TESSERA_LIMITS_COUNTERS: 'memcached' }, file: noFile }),
      /limits\.counters \(TESSERA_LIMITS_COUNTERS\)/,
    );
    const config = loadConfig({
      env: { TESSERA_LIMITS_COUNTERS: 'redis', TESSERA_CLUSTER_REDIS_URL: 'redis://127.0.0.1:6379' },
      file: noFile,
    });
    assert.equal(config.limits.counters, 'redis');
    assert.equal(loadConfig({ env: {}, file: noFile }).limits.counters, 'database');
  });
});
