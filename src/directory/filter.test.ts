import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EqualityFilter, type AndFilter } from 'ldapts';
import { and, compileFilter, equalityFilter, equals, escapeFilterValue, isValidFilter } from './filter.ts';

test('RFC 4515 metacharacters and NUL are escaped as \\XX', () => {
  assert.equal(escapeFilterValue('*'), '\\2a');
  assert.equal(escapeFilterValue('('), '\\28');
  assert.equal(escapeFilterValue(')'), '\\29');
  assert.equal(escapeFilterValue('\\'), '\\5c');
  assert.equal(escapeFilterValue('\0'), '\\00');
  assert.equal(escapeFilterValue('a\\00b'), 'a\\5c00b', 'a typed "\\00" stays literal text, not a NUL');
  assert.equal(escapeFilterValue('alice'), 'alice');
});

test('the checklist T10 injection becomes one harmless value', () => {
  const filter = equals('uid', '*)(uid=*))(|(uid=*');
  assert.equal(filter, '(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)');
  const parsed = compileFilter(filter);
  assert.ok(parsed instanceof EqualityFilter, 'still a single equality, not an OR of wildcards');
  assert.equal(Buffer.from(parsed.value as Buffer).toString('utf8'), '*)(uid=*))(|(uid=*');
});

test('non-ASCII is escaped byte by byte as UTF-8 and reaches the server as the same bytes', () => {
  assert.equal(escapeFilterValue('zoë'), 'zo\\c3\\ab');
  assert.equal(escapeFilterValue('Ångström 名'), '\\c3\\85ngstr\\c3\\b6m \\e5\\90\\8d');
  const parsed = compileFilter(equals('uid', 'zoë')) as EqualityFilter;
  assert.deepEqual(parsed.value, Buffer.from('zoë', 'utf8'));
});

test('an equality made directly sends the same bytes as the escaped and parsed one, injection attempts included', () => {
  for (const value of [
    'zoë',
    '*)(uid=*))(|(uid=*',
    'a\\00b\0',
    'Ångström 名',
    Buffer.from([0x00, 0x2a, 0xc3, 0x80, 0xff]),
  ]) {
    const direct = equalityFilter('uid', value);
    const parsed = compileFilter(equals('uid', value)) as EqualityFilter;
    assert.ok(direct instanceof EqualityFilter);
    assert.deepEqual(direct.value, parsed.value);
    assert.equal(direct.toString(), parsed.toString());
  }
});

test('control characters and binary values are escaped', () => {
  assert.equal(escapeFilterValue('a\nb\x7f'), 'a\\0ab\\7f');
  assert.equal(escapeFilterValue(Buffer.from([0x00, 0x28, 0xff, 0x41])), '\\00\\28\\ffA');
  const parsed = compileFilter(
    and('(objectClass=user)', equals('objectGUID', Buffer.from([0x00, 0x2a, 0xc3, 0x80]))),
  ) as AndFilter;
  assert.deepEqual((parsed.filters[1] as EqualityFilter).value, Buffer.from([0x00, 0x2a, 0xc3, 0x80]));
});

test('configured filters must parse and be ASCII', () => {
  assert.equal(isValidFilter('(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))'), true);
  assert.equal(isValidFilter('(objectClass=person'), false);
  assert.equal(isValidFilter('objectClass=person)('), false);
  assert.equal(isValidFilter('(cn=Zoë)'), false);
  assert.equal(isValidFilter(''), false);
  assert.throws(() => compileFilter('(cn=Zoë)'));
});
