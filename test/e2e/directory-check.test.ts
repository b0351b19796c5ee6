// `tessera directory check`, as a newcomer runs it while setting up the directory against a real slapd: which
// servers answered, whether the service account binds and searches, how a person maps — and, when something is
// wrong, what the directory said, never a password.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureConfig, freePort, servicePassword, startSlapd, type Slapd } from '../support/slapd.ts';

const cli = join(import.meta.dirname, '../../src/cli.ts');

describe('tessera directory check', () => {
  let slapd: Slapd;
  let dir: string;
  before(async () => {
    slapd = await startSlapd();
    dir = mkdtempSync(join(tmpdir(), 'tessera-check-'));
  });
  after(() => slapd.close());

  const check = (directory: Record<string, unknown>, ...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({ directory }));
      const child = spawn(process.execPath, [cli, 'directory', 'check', ...args], {
        env: { ...process.env, TESSERA_CONFIG: file, TESSERA_DATA_DIR: dir, TESSERA_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('reports the service account bound, a dead first server, and alice as Tessera maps her', async () => {
    const dead = `ldap://127.0.0.1:${await freePort()}`;
    const result = await check(fixtureConfig('openldap', [dead, slapd.url]), '--user', 'EXAMPLE\\alice');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`did not answer: ${dead.replace(/[.]/g, '\\.')} \\(.*ECONNREFUSED`));
    assert.match(result.stdout, /service account cn=tessera,.*: bound, and searched ou=people/);
    const person = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    assert.equal(person.dn, 'uid=alice,ou=people,dc=example,dc=org');
    assert.equal(person.username, 'alice');
    assert.deepEqual(person.groups, ['staff', 'vpn-users']);
    assert.deepEqual(person.status, { disabled: false, locked: false, accountExpired: false, passwordExpired: false });
    assert.ok(
      !result.stdout.includes(servicePassword) && !result.stderr.includes(servicePassword),
      'never the bind password',
    );
  });

  it("shows a disabled person's flags, and says so when no entry matches a name, a hostile one included", async () => {
    const carol = await check(fixtureConfig('openldap', [slapd.url]), '--user', 'carol');
    assert.equal(carol.code, 0, carol.stderr);
    assert.equal(JSON.parse(carol.stdout.slice(carol.stdout.indexOf('{'))).status.disabled, true);
    for (const name of ['nobody', '*', '*)(uid=*']) {
      const missing = await check(fixtureConfig('openldap', [slapd.url]), '--user', name);
      assert.equal(missing.code, 1, name);
      assert.match(missing.stderr, /no entry matches .*check userFilter, attributes\.login and domains/, name);
    }
  });

  it('names the problem: a refused service bind, a base DN that does not exist, no server answering', async () => {
    const refused = await check({
      ...fixtureConfig('openldap', [slapd.url]),
      bindPassword: 'not the service password',
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the service account bind was refused/);
    assert.ok(!refused.stderr.includes('not the service password'), 'never the bind password');

    const noBase = await check({ ...fixtureConfig('openldap', [slapd.url]), baseDn: 'ou=nowhere,dc=example,dc=org' });
    assert.equal(noBase.code, 1);
    assert.match(noBase.stderr, /baseDn does not exist/);

    const dead = `ldap://127.0.0.1:${await freePort()}`;
    const down = await check(fixtureConfig('openldap', [dead]));
    assert.equal(down.code, 1);
    assert.match(down.stdout, /did not answer: ldap:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED/);
    assert.match(down.stderr, /Directory unreachable: 1 server\(s\) tried/);
  });
});
