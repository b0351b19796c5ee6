// Where a person's groups come from, against real slapd: groups that list the person (groupOfNames member,
// groupOfUniqueNames uniqueMember, posixGroup memberUid, AD's group member), or memberOf on the person's own entry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureConfig, startSlapd, type Slapd } from '../../test/support/slapd.ts';
import { systemClock } from '../clock/index.ts';
import { createDirectorySource, type DirectoryConfigInput, type DirectorySource } from './index.ts';

const people = 'ou=people,dc=example,dc=org';
const groups = 'ou=groups,dc=example,dc=org';

// The searches slapd logged for `signIn`. Its log is written asynchronously: a search for a unique name after
// it, once logged, means everything before it is there too.
async function searchesDuring(
  slapd: Slapd,
  source: DirectorySource,
  signIn: () => Promise<unknown>,
): Promise<string[]> {
  const from = slapd.log().length;
  await signIn();
  const marker = `marker${Math.random().toString(36).slice(2)}`;
  await assert.rejects(source.authenticate(marker, 'x'), { code: 'directory.wrong_password' });
  for (let i = 0; i < 200 && !slapd.log().includes(marker); i++) await new Promise((r) => setTimeout(r, 25));
  const lines = slapd.log().slice(from).split('\n');
  return lines
    .slice(
      0,
      lines.findIndex((l) => l.includes(marker)),
    )
    .filter((l) => / SRCH base=/.test(l))
    .map((l) => / SRCH (base=.*)$/.exec(l)![1]);
}

describe('groups found by search', () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd();
  });
  after(() => slapd.close());

  test('OpenLDAP: posixGroup memberUid counts beside groupOfNames and groupOfUniqueNames; other people are not swept in', async () => {
    await slapd.modify(
      [
        `dn: cn=developers,${groups}`,
        'changetype: add',
        'objectClass: posixGroup',
        'cn: developers',
        'gidNumber: 5001',
        'memberUid: alice',
        'memberUid: bob',
        '',
        `dn: cn=auditors,${groups}`,
        'changetype: add',
        'objectClass: groupOfUniqueNames',
        'cn: auditors',
        `uniqueMember: uid=alice,${people}`,
        '',
        // memberUid holds a login name, which may be filter syntax: the person called "*" is in this group alone,
        // where an unescaped (memberUid=*) would put them in every posixGroup.
        `dn: uid=*,${people}`,
        'changetype: add',
        'objectClass: inetOrgPerson',
        'uid: *',
        'cn: Star',
        'sn: Star',
        'userPassword: star password 1',
        '',
        `dn: cn=everyone-by-star,${groups}`,
        'changetype: add',
        'objectClass: posixGroup',
        'cn: everyone-by-star',
        'gidNumber: 5002',
        'memberUid: *',
        '',
      ].join('\n'),
    );
    const source = createDirectorySource(fixtureConfig('openldap', [slapd.url]), { clock: systemClock });
    try {
      assert.deepEqual((await source.authenticate('alice', 'correct horse battery')).groups, [
        'auditors',
        'developers',
        'staff',
        'vpn-users',
      ]);
      assert.deepEqual((await source.authenticate('bob', 'bob password 1')).groups, ['developers', 'staff']);
      assert.deepEqual((await source.authenticate('zoë', 'pässwörd ünïcödé')).groups, ['staff']);
      assert.deepEqual((await source.authenticate('victor', 'victor password 1')).groups, ['vendors']);
      assert.deepEqual((await source.authenticate('*', 'star password 1')).groups, ['everyone-by-star']);
      // Sync reads groups the same way.
      const alice = await source.authenticate('alice', 'correct horse battery');
      assert.deepEqual((await source.findByStableId(alice.stableId))?.groups, alice.groups);
    } finally {
      await source.close();
    }
  });

  test('Active Directory set to search finds the groups whose member is the person', async () => {
    const source = createDirectorySource(
      { ...fixtureConfig('activeDirectory', [slapd.url]), groups: 'memberSearch' },
      { clock: systemClock },
    );
    try {
      assert.deepEqual((await source.authenticate('alice', 'correct horse battery')).groups, ['Staff', 'VPN Users']);
      assert.deepEqual((await source.authenticate('victor', 'victor password 1')).groups, ['Vendors']);
    } finally {
      await source.close();
    }
  });
});

describe('groups read from memberOf on OpenLDAP with the memberof overlay', () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd({ memberOf: true });
  });
  after(() => slapd.close());

  test("a sign-in takes memberOf from the person's entry with one search, and sees a new group at the next sign-in", async () => {
    const config: DirectoryConfigInput = { ...fixtureConfig('openldap', [slapd.url]), groups: 'memberOf' };
    const source = createDirectorySource(config, { clock: systemClock });
    try {
      // The LDIF's groups were loaded before the overlay ran, so the entry carries no memberOf yet: no groups,
      // where a search would have found staff and vpn-users.
      let user = await source.authenticate('alice', 'correct horse battery');
      assert.deepEqual(user.groups, []);

      await slapd.modify(
        [
          `dn: cn=contractors-vpn,${groups}`,
          'changetype: add',
          'objectClass: groupOfNames',
          'cn: contractors-vpn',
          `member: uid=alice,${people}`,
          `member: uid=bob,${people}`,
          '',
        ].join('\n'),
      );
      const searches = await searchesDuring(slapd, source, async () => {
        user = await source.authenticate('alice', 'correct horse battery');
      });
      assert.deepEqual(user.groups, ['contractors-vpn']);
      assert.equal(searches.length, 1, `one search per sign-in: ${searches.join(' | ')}`);
      assert.match(searches[0], /^base="ou=people/);
      assert.deepEqual(
        (await source.findByStableId(user.stableId))?.groups,
        ['contractors-vpn'],
        'sync reads memberOf too',
      );

      await slapd.modify(
        [
          `dn: cn=contractors-vpn,${groups}`,
          'changetype: modify',
          'delete: member',
          `member: uid=alice,${people}`,
          '',
        ].join('\n'),
      );
      assert.deepEqual(
        (await source.authenticate('alice', 'correct horse battery')).groups,
        [],
        'left the group: gone at the next sign-in',
      );
    } finally {
      await source.close();
    }
  });
});
