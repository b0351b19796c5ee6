// Fail-over, a server dying mid sign-in, recovery, and TLS: "unreachable" is never a wrong password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureConfig, freePort, startSlapd, type Slapd } from '../../test/support/slapd.ts';
import { systemClock } from '../clock/index.ts';
import { createDirectorySource } from './index.ts';

let slapd: Slapd;
let deadUrl: string;

before(async () => {
  slapd = await startSlapd();
  deadUrl = `ldap://127.0.0.1:${await freePort()}`; // nothing listens there
});
after(async () => {
  await slapd.close();
});

const alice = ['alice', 'correct horse battery'] as const;

test('the first URL dead: the next one serves, and the operator is told which server failed and why', async () => {
  const failed: Array<[string, string]> = [];
  const source = createDirectorySource(fixtureConfig('openldap', [deadUrl, slapd.url]), {
    clock: systemClock,
    onServerFailed: (url, reason) => failed.push([url, reason]),
  });
  try {
    assert.equal((await source.authenticate(...alice)).username, 'alice');
    assert.ok(failed.length > 0 && failed.every(([url]) => url === deadUrl), JSON.stringify(failed));
    assert.match(failed[0][1], /ECONNREFUSED/);
    assert.ok(!failed.some(([, reason]) => reason.includes(alice[1])), 'no password in what the operator is told');
  } finally {
    await source.close();
  }
});

test('no server answering is unreachable, and an empty password is still refused first', async () => {
  const source = createDirectorySource(fixtureConfig('openldap', [deadUrl]), { clock: systemClock });
  try {
    await assert.rejects(source.authenticate(...alice), { code: 'directory.unreachable' });
    await assert.rejects(source.authenticate('alice', 'wrong'), { code: 'directory.unreachable' });
    // Had a bind been tried, this would be "unreachable" too.
    await assert.rejects(source.authenticate('alice', ''), { code: 'directory.empty_password' });
    await assert.rejects(source.findByStableId('00000000-0000-0000-0000-000000000000'), {
      code: 'directory.unreachable',
    });
  } finally {
    await source.close();
  }
});

test('the server hanging or dying during a sign-in is unreachable, and service resumes when it returns', async () => {
  const source = createDirectorySource(fixtureConfig('openldap', [slapd.url]), { clock: systemClock });
  try {
    await source.authenticate(...alice); // a warm service connection now sits in the pool
    await slapd.freeze();
    await assert.rejects(source.authenticate(...alice), { code: 'directory.unreachable' });
    // Frozen with a request in flight, then killed: the open connection breaks under the sign-in.
    const inFlight = assert.rejects(source.authenticate(...alice), { code: 'directory.unreachable' });
    await slapd.stop();
    await inFlight;
    await assert.rejects(source.authenticate(...alice), { code: 'directory.unreachable' });
    await slapd.restart();
    assert.equal((await source.authenticate(...alice)).username, 'alice');
    await assert.rejects(source.authenticate('alice', 'wrong'), { code: 'directory.wrong_password' });
  } finally {
    slapd.thaw();
    await source.close();
  }
});

test("a wrong service password is a configuration problem, not a user's wrong password", async () => {
  const source = createDirectorySource(
    { ...fixtureConfig('openldap', [slapd.url]), bindPassword: 'not-it' },
    { clock: systemClock },
  );
  try {
    await assert.rejects(source.authenticate(...alice), { code: 'directory.misconfigured' });
  } finally {
    await source.close();
  }
});

test('ldaps:// with the test CA signs in; without trusting the CA it is unreachable', async () => {
  const trusted = createDirectorySource(
    { ...fixtureConfig('openldap', [slapd.ldapsUrl]), tls: { caFile: slapd.caFile } },
    { clock: systemClock },
  );
  const untrusted = createDirectorySource(
    { ...fixtureConfig('openldap', [slapd.ldapsUrl]), tls: {} },
    { clock: systemClock },
  );
  try {
    assert.equal((await trusted.authenticate(...alice)).username, 'alice');
    await assert.rejects(trusted.authenticate('alice', 'wrong'), { code: 'directory.wrong_password' });
    await assert.rejects(untrusted.authenticate(...alice), { code: 'directory.unreachable' });
  } finally {
    await trusted.close();
    await untrusted.close();
  }
});

test('StartTLS on ldap:// with the test CA signs in', async () => {
  const source = createDirectorySource(
    { ...fixtureConfig('openldap', [slapd.url]), tls: { caFile: slapd.caFile, startTls: true } },
    { clock: systemClock },
  );
  try {
    assert.equal((await source.authenticate(...alice)).username, 'alice');
  } finally {
    await source.close();
  }
});

test('many sign-ins at once share the small pool', async () => {
  const source = createDirectorySource(
    { ...fixtureConfig('openldap', [slapd.url]), poolSize: 2 },
    { clock: systemClock },
  );
  try {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        source.authenticate(i % 2 === 0 ? 'alice' : 'bob', i % 2 === 0 ? 'correct horse battery' : 'bob password 1'),
      ),
    );
    assert.deepEqual(
      results.map((u) => u.username),
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 'alice' : 'bob')),
    );
  } finally {
    await source.close();
  }
});
