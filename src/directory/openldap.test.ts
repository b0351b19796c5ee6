// Sign-in against a real slapd with the OpenLDAP preset.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'ldapts';
import { fixtureConfig, serviceDn, servicePassword, startSlapd, type Slapd } from '../../test/support/slapd.ts';
import { systemClock } from '../clock/index.ts';
import { createDirectorySource, type DirectorySource } from './index.ts';

let slapd: Slapd;
let source: DirectorySource;

before(async () => {
  slapd = await startSlapd();
  source = createDirectorySource(fixtureConfig('openldap', [slapd.url]), { clock: systemClock });
});
after(async () => {
  await source.close();
  await slapd.close();
});

const aliceBinds = () =>
  slapd
    .log()
    .split('\n')
    .filter((l) => /BIND dn="uid=alice,ou=people,[^"]*" method=/.test(l)).length;

test('a correct password signs in and returns the person with groups', async () => {
  const user = await source.authenticate('alice', 'correct horse battery');
  assert.equal(user.username, 'alice');
  assert.equal(user.email, 'alice@example.org');
  assert.equal(user.displayName, 'Alice Smith');
  assert.equal(user.employeeId, 'E1001');
  assert.deepEqual(user.groups, ['staff', 'vpn-users']);
  assert.equal(user.disabled, false);
  assert.match(user.stableId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('the three name forms reach the same person', async () => {
  const ids = new Set<string>();
  for (const name of ['alice', 'EXAMPLE\\alice', 'alice@example.org', '  Alice ']) {
    ids.add((await source.authenticate(name, 'correct horse battery')).stableId);
  }
  assert.equal(ids.size, 1);
});

test('Unicode login, a space in the cn and a Unicode password work', async () => {
  const user = await source.authenticate('zoë', 'pässwörd ünïcödé');
  assert.equal(user.displayName, 'Zoë Ångström');
  assert.deepEqual(user.groups, ['staff']);
  // Decomposed input (as some keyboards send it) finds the same entry.
  assert.equal((await source.authenticate('zoe\u0308', 'pässwörd ünïcödé')).stableId, user.stableId);
  await assert.rejects(source.authenticate('zoë', 'passwörd ünïcödé'), { code: 'directory.wrong_password' });
});

test('a person without mail or employee number, and a vendor, sign in', async () => {
  const bob = await source.authenticate('bob', 'bob password 1');
  assert.equal(bob.email, null);
  const victor = await source.authenticate('victor', 'victor password 1');
  assert.equal(victor.employeeId, null);
  assert.deepEqual(victor.groups, ['vendors']);
});

test('wrong password and unknown user give the same outcome', async () => {
  await assert.rejects(source.authenticate('alice', 'Correct horse battery'), { code: 'directory.wrong_password' });
  await assert.rejects(source.authenticate('mallory', 'correct horse battery'), { code: 'directory.wrong_password' });
});

test('disabled, expired and password-expired accounts are told apart once the password is right', async () => {
  await assert.rejects(source.authenticate('carol', 'carol password 1'), { code: 'directory.account_disabled' });
  await assert.rejects(source.authenticate('dave', 'dave password 1'), { code: 'directory.account_expired' });
  await assert.rejects(source.authenticate('erin', 'erin password 1'), { code: 'directory.password_expired' });
  // With a wrong password nothing about the account's state is revealed.
  await assert.rejects(source.authenticate('carol', 'guess'), { code: 'directory.wrong_password' });
});

// slapd writes its log asynchronously: a search for a unique name, once visible, means all before it is there.
async function logSettled(): Promise<void> {
  const marker = `marker${Math.random().toString(36).slice(2)}`;
  await assert.rejects(source.authenticate(marker, 'x'), { code: 'directory.wrong_password' });
  for (let i = 0; i < 200 && !slapd.log().includes(marker); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(slapd.log().includes(marker), 'slapd logged the marker search');
}

test('an empty password is refused before any bind (CVE-2022-0730)', async () => {
  await logSettled();
  const before = aliceBinds();
  await assert.rejects(source.authenticate('alice', ''), { code: 'directory.empty_password' });
  await assert.rejects(source.authenticate('alice', undefined as unknown as string), {
    code: 'directory.empty_password',
  });
  await source.authenticate('alice', 'correct horse battery');
  await logSettled();
  assert.equal(aliceBinds(), before + 1, 'only the real sign-in reached slapd as a bind for alice');
});

test('a very long password is refused cleanly without reaching the directory', async () => {
  await assert.rejects(source.authenticate('alice', 'x'.repeat(100_000)), { code: 'directory.password_too_long' });
  await assert.rejects(source.authenticate('alice', 'é'.repeat(600)), { code: 'directory.password_too_long' });
});

test('bad names are refused as invalid input', async () => {
  await assert.rejects(source.authenticate('', 'correct horse battery'), { code: 'directory.invalid_name' });
  await assert.rejects(source.authenticate('a'.repeat(5000), 'correct horse battery'), {
    code: 'directory.invalid_name',
  });
});

test('filter injection in the name never signs anyone in', async () => {
  for (const name of [
    '*',
    'a*',
    '*)(uid=*',
    ')(uid=*',
    '*)(uid=*))(|(uid=*',
    'alice)(|(uid=*',
    '\\00',
    'alice\0',
    'ali\\2a',
  ]) {
    await assert.rejects(
      source.authenticate(name, 'correct horse battery'),
      { code: 'directory.wrong_password' },
      name,
    );
  }
});

test('findByStableId follows a person and returns null for unknown or malformed ids', async () => {
  const alice = await source.authenticate('alice', 'correct horse battery');
  assert.deepEqual(await source.findByStableId(alice.stableId), alice);
  assert.deepEqual([alice.givenName, alice.surname, alice.employeeId], ['Alice', 'Smith', 'E1001']);
  assert.equal(await source.findByStableId('00000000-0000-0000-0000-000000000000'), null);
  assert.equal(await source.findByStableId('*'), null);
  assert.equal(await source.findByStableId(''), null);
});

test('sync sees a disabled account as disabled', async () => {
  // Read carol's entryUUID as an administrator tool would, then look her up as sync does.
  const client = new Client({ url: slapd.url });
  await client.bind(serviceDn, servicePassword);
  const { searchEntries } = await client.search('uid=carol,ou=people,dc=example,dc=org', {
    scope: 'base',
    attributes: ['entryUUID'],
  });
  await client.unbind();
  const carol = await source.findByStableId(String(searchEntries[0].entryUUID));
  assert.equal(carol?.username, 'carol');
  assert.equal(carol?.disabled, true);
});

test('employee id is checked trimmed and without case, without telling the right one', async () => {
  assert.equal(await source.checkEmployeeId('alice', 'E1001'), true);
  assert.equal(await source.checkEmployeeId('CORP\\alice', '  E1001 '), true);
  assert.equal(
    await source.checkEmployeeId('alice', 'e1001'),
    true,
    'employeeNumber matches without case, as slapd compares it',
  );
  assert.equal(await source.checkEmployeeId('alice', 'E1002'), false);
  assert.equal(await source.checkEmployeeId('alice', ''), false);
  assert.equal(
    await source.checkEmployeeId('victor', ''),
    false,
    'no employee number: nothing matches, not even empty',
  );
  assert.equal(await source.checkEmployeeId('mallory', 'E1001'), false);
  assert.equal(await source.checkEmployeeId('*', 'E1001'), false);
  assert.equal(await source.checkEmployeeId('', 'E1001'), false);
});

test('finds the one person with an employee ID (the helpdesk search), and nothing for a pattern or nobody', async () => {
  assert.equal((await source.findByEmployeeId('E1003'))?.username, 'bob');
  assert.equal(
    (await source.findByEmployeeId(' e1001 '))?.username,
    'alice',
    'trimmed, without case as slapd compares',
  );
  for (const hostile of ['*', 'E1*', 'E1001)(uid=*', '', 'E9999', 'x'.repeat(65)]) {
    assert.equal(await source.findByEmployeeId(hostile), null, hostile);
  }
});

test('people bind on kept connections that never carry a search, and searches never run on those', async () => {
  await logSettled();
  const from = slapd.log().length;
  const attempts: Array<[string, string]> = [
    ['alice', 'correct horse battery'],
    ['alice', 'wrong'],
    ['bob', 'bob password 1'],
    ['mallory', 'x'],
    ['alice', 'correct horse battery'],
  ];
  for (const [name, password] of attempts) await source.authenticate(name, password).catch(() => undefined);
  await logSettled();
  const lines = slapd.log().slice(from).split('\n');
  const connections = (pattern: RegExp) =>
    new Set(lines.filter((l) => pattern.test(l)).map((l) => /conn=(\d+)/.exec(l)?.[1]));
  const personBinds = connections(/ BIND dn="(uid=|cn=tessera-no-such-user)[^"]*" method=/);
  const searches = connections(/ SRCH base=/);
  assert.ok(personBinds.size >= 1 && searches.size >= 1);
  assert.deepEqual(
    [...personBinds].filter((c) => searches.has(c)),
    [],
    'no connection a person bound on ever searched',
  );
  assert.equal(lines.filter((l) => / ACCEPT from /.test(l)).length, 0, 'the kept connections served every sign-in');
  // After a refused bind (the connection is then anonymous) the next sign-in still gets the person's groups.
  assert.deepEqual((await source.authenticate('alice', 'correct horse battery')).groups, ['staff', 'vpn-users']);
});
