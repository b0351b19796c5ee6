import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainAllowed, parseSignInName } from './names.ts';

test('user, DOMAIN\\user and user@domain name the same account', () => {
  assert.deepEqual(parseSignInName('alice'), { account: 'alice', domain: null });
  assert.deepEqual(parseSignInName('CORP\\alice'), { account: 'alice', domain: 'corp' });
  assert.deepEqual(parseSignInName('alice@Corp.Example.org'), { account: 'alice', domain: 'corp.example.org' });
  assert.deepEqual(parseSignInName('  alice  '), { account: 'alice', domain: null });
});

test('Unicode names are kept and composed (NFC)', () => {
  assert.deepEqual(parseSignInName('zoe\u0308'), { account: 'zoë', domain: null });
  assert.deepEqual(parseSignInName('CORP\\Zoë Ångström'), { account: 'Zoë Ångström', domain: 'corp' });
});

test('empty, oversized and malformed names are refused as invalid input', () => {
  for (const bad of ['', '   ', 'CORP\\', 'x'.repeat(257), 'a\uD800b']) {
    assert.throws(() => parseSignInName(bad), { code: 'directory.invalid_name' }, JSON.stringify(bad).slice(0, 40));
  }
  assert.throws(() => parseSignInName(42 as unknown as string), { code: 'directory.invalid_name' });
});

test('configured domains limit which qualified names are accepted', () => {
  assert.equal(domainAllowed(parseSignInName('OTHER\\alice'), []), true);
  assert.equal(domainAllowed(parseSignInName('CORP\\alice'), ['corp', 'corp.example.org']), true);
  assert.equal(domainAllowed(parseSignInName('alice@corp.example.org'), ['CORP', 'corp.example.org']), true);
  assert.equal(domainAllowed(parseSignInName('OTHER\\alice'), ['corp']), false);
  assert.equal(domainAllowed(parseSignInName('alice'), ['corp']), true);
});
