// Sign-in with the Active Directory preset, against slapd carrying AD's attribute names (ad-lite.schema).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureConfig, startSlapd, type Slapd } from '../../test/support/slapd.ts';
import { manualClock } from '../clock/index.ts';
import { guidToBytes, guidToString } from './active-directory.ts';
import { createDirectorySource, type DirectorySource } from './index.ts';

let slapd: Slapd;
let source: DirectorySource;
const clock = manualClock(Date.UTC(2026, 0, 1));

before(async () => {
  slapd = await startSlapd();
  source = createDirectorySource(
    { ...fixtureConfig('activeDirectory', [slapd.url]), domains: ['CORP', 'corp.example.org'] },
    { clock },
  );
});
after(async () => {
  await source.close();
  await slapd.close();
});

test('sAMAccountName sign-in returns objectGUID as the stable id and memberOf as groups', async () => {
  const user = await source.authenticate('alice', 'correct horse battery');
  assert.equal(user.stableId, '33221100-5544-7766-8899-aabbccddeeff');
  assert.equal(user.username, 'alice');
  assert.equal(user.email, 'alice@corp.example.org');
  assert.equal(user.employeeId, '1001');
  assert.deepEqual([user.givenName, user.surname], ['Alice', 'Smith']);
  assert.deepEqual(user.groups, ['VPN Users', 'Staff']);
});

test('CORP\\user and user@corp.example.org are the same person; other domains are not', async () => {
  const a = await source.authenticate('CORP\\alice', 'correct horse battery');
  const b = await source.authenticate('alice@corp.example.org', 'correct horse battery');
  assert.equal(a.stableId, b.stableId);
  await assert.rejects(source.authenticate('EVIL\\alice', 'correct horse battery'), {
    code: 'directory.wrong_password',
  });
});

test('a Unicode DN with a space binds, and its odd GUID bytes are found again by findByStableId', async () => {
  const zoe = await source.authenticate('CORP\\zoë', 'pässwörd ünïcödé');
  assert.equal(zoe.displayName, 'Zoë Ångström');
  assert.deepEqual([zoe.givenName, zoe.surname], [null, 'Ångström'], 'no givenName: none made up');
  // Its GUID bytes are ( ) * \ NUL and high bytes: the search must send them escaped and exact.
  assert.deepEqual(guidToBytes(zoe.stableId), Buffer.from('28292a5c00ff80c3a9102030405060aa', 'hex'));
  assert.deepEqual(await source.findByStableId(zoe.stableId), zoe);
  assert.deepEqual(await source.findByStableId(`{${zoe.stableId.toUpperCase()}}`), zoe);
  assert.equal(await source.findByStableId('11111111-2222-3333-4444-555555555555'), null);
  assert.equal(await source.findByStableId('not-a-guid*'), null);
});

test('userAccountControl, accountExpires and pwdLastSet give distinct outcomes', async () => {
  await assert.rejects(source.authenticate('carol', 'carol password 1'), { code: 'directory.account_disabled' });
  await assert.rejects(source.authenticate('frank', 'frank password 1'), { code: 'directory.account_locked' });
  await assert.rejects(source.authenticate('dave', 'dave password 1'), { code: 'directory.account_expired' });
  await assert.rejects(source.authenticate('erin', 'erin password 1'), { code: 'directory.password_expired' });
  await assert.rejects(source.authenticate('carol', 'wrong'), { code: 'directory.wrong_password' });
});

test('a maximum password age is enforced from pwdLastSet, except for "password never expires"', async () => {
  const strict = createDirectorySource(
    { ...fixtureConfig('activeDirectory', [slapd.url]), maxPasswordAgeDays: 90 },
    { clock },
  );
  try {
    // alice's password was set on 2025-01-01, more than 90 days before the clock's 2026-01-01.
    await assert.rejects(strict.authenticate('alice', 'correct horse battery'), { code: 'directory.password_expired' });
    // zoë has DONT_EXPIRE_PASSWORD (0x10000) in userAccountControl.
    assert.equal((await strict.authenticate('zoë', 'pässwörd ünïcödé')).username, 'zoë');
  } finally {
    await strict.close();
  }
});

test('AD bind diagnostics name the reason, with the message kept for the operator', async () => {
  const { activeDirectory } = await import('./active-directory.ts');
  const diag = '80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 533, v3839';
  const err = activeDirectory.bindFailure(diag);
  assert.equal(err?.code, 'directory.account_disabled');
  assert.equal(err?.diagnostic, diag);
  assert.equal(activeDirectory.bindFailure(diag.replace('533', '701'))?.code, 'directory.account_expired');
  assert.equal(activeDirectory.bindFailure(diag.replace('533', '773'))?.code, 'directory.password_expired');
  assert.equal(activeDirectory.bindFailure(diag.replace('533', '775'))?.code, 'directory.account_locked');
  assert.equal(activeDirectory.bindFailure(diag.replace('533', '52e')), null, '52e is a plain wrong password');
});

test('GUID text and bytes round-trip; junk is not a GUID', () => {
  const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  assert.deepEqual(guidToBytes(guidToString(bytes)), bytes);
  assert.equal(guidToBytes('00112233-4455'), null);
  assert.equal(guidToBytes('*'), null);
});

test('employee id check and injection with the AD preset', async () => {
  assert.equal(await source.checkEmployeeId('CORP\\alice', ' 1001'), true);
  assert.equal(await source.checkEmployeeId('alice', '1002'), false);
  for (const name of ['*', '*)(sAMAccountName=*', '*)(uid=*))(|(uid=*', '\\00']) {
    await assert.rejects(
      source.authenticate(name, 'correct horse battery'),
      { code: 'directory.wrong_password' },
      name,
    );
  }
});
