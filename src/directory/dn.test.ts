import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAtOrBelow, normaliseDn, parseDn } from './dn.ts';

const romania = 'ou=Romania,ou=people,dc=example,dc=org';

describe('distinguished names', () => {
  it('puts an entry at or below an OU by its RDNs, without case, with escapes undone', () => {
    for (const dn of [
      'cn=ioana,ou=Romania,ou=people,dc=example,dc=org',
      'CN=Ioana , OU=ROMANIA,ou=People,DC=example,DC=org',
      'uid=a+cn=b,ou=Rom\\61nia,ou=people,dc=example,dc=org',
      'cn=\\c8\\98tefan,ou=Romania,ou=people,dc=example,dc=org',
      'cn=deep,ou=Cluj,ou=Romania,ou=people,dc=example,dc=org',
      romania,
    ]) {
      assert.equal(isAtOrBelow(dn, romania), true, dn);
    }
  });

  it('never takes a suffix of the text for an OU (hostile names included)', () => {
    for (const dn of [
      'cn=x\\,ou=Romania,ou=people,dc=example,dc=org',
      'cn=x\\2cou=Romania,ou=people,dc=example,dc=org',
      'cn=x,ou=xRomania,ou=people,dc=example,dc=org',
      'cn=x+ou=Romania,ou=people,dc=example,dc=org',
      'ou=people,dc=example,dc=org',
      'cn=x,ou=Romania,ou=people,dc=example,dc=org,dc=evil',
      'cn=bad\\zz,ou=Romania,ou=people,dc=example,dc=org',
      'cn="quoted",ou=Romania,ou=people,dc=example,dc=org',
      'cn=\\c3,ou=Romania,ou=people,dc=example,dc=org',
      'not a dn',
      '',
    ]) {
      assert.equal(isAtOrBelow(dn, romania), false, dn);
    }
    assert.equal(isAtOrBelow('cn=a,dc=org', ''), false, 'the root holds nobody');
  });

  it('refuses what is not a DN and writes one canonical form', () => {
    for (const bad of ['ou', '=x', 'ou=a,', 'ou=a\\', 'o u=a', 'ou=#zz', `ou=${'a'.repeat(5000)}`]) {
      assert.equal(parseDn(bad), null, bad);
    }
    assert.equal(normaliseDn('OU=Romania , ou=People'), 'ou=romania,ou=people');
    assert.equal(normaliseDn('uid=b+CN=A\\2c,ou=x'), 'cn=a\\,+uid=b,ou=x');
    assert.equal(normaliseDn('ou=a\\+b'), 'ou=a\\+b');
  });
});
