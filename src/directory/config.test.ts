import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryConfigSchema } from './config.ts';

const valid = {
  urls: ['ldaps://dc1.corp.example.org'],
  bindDn: 'cn=svc,dc=corp',
  bindPassword: 's',
  baseDn: 'dc=corp',
  preset: 'activeDirectory',
};

test('a minimal configuration gets safe defaults', () => {
  const c = directoryConfigSchema.parse(valid);
  assert.equal(c.poolSize, 4);
  assert.equal(c.tls.startTls, false);
  assert.equal(c.tls.allowPlaintext, false);
  assert.deepEqual(c.domains, []);
  assert.ok(c.connectTimeoutMs > 0 && c.operationTimeoutMs > 0);
});

test('plain ldap:// is refused unless StartTLS or allowPlaintext is chosen', () => {
  const plain = { ...valid, urls: ['ldap://dc1'] };
  const r = directoryConfigSchema.safeParse(plain);
  assert.equal(r.success, false);
  assert.deepEqual(r.error?.issues[0].path, ['urls']);
  assert.equal(directoryConfigSchema.safeParse({ ...plain, tls: { startTls: true } }).success, true);
  assert.equal(directoryConfigSchema.safeParse({ ...plain, tls: { allowPlaintext: true } }).success, true);
});

test('bad values are refused naming the key', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ urls: [] }, 'urls'],
    [{ urls: ['http://dc1'] }, 'urls'],
    [{ preset: 'novell' }, 'preset'],
    [{ userFilter: '(objectClass=user' }, 'userFilter'],
    [{ bindPassword: '' }, 'bindPassword'],
    [{ attributes: { login: 'bad name' } }, 'attributes'],
    [{ poolSize: 0 }, 'poolSize'],
    [{ groups: 'memberof' }, 'groups'],
    [{ passwordChangeUrl: 'javascript:alert(1)' }, 'passwordChangeUrl'],
    [{ passwordChangeUrl: 'password portal' }, 'passwordChangeUrl'],
  ];
  for (const [patch, key] of cases) {
    const r = directoryConfigSchema.safeParse({ ...valid, ...patch });
    assert.equal(r.success, false, key);
    assert.equal(r.error?.issues[0].path[0], key);
  }
});
