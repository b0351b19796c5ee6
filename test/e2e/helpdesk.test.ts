// What IT support does when an employee calls about the VPN ("Too many wrong OTP codes… contact IT support", a lost
// phone, a new hardware token): look at the person's tokens, lift a lock, unbind a lost token, import the vendor's
// seed file and assign a token by serial, with the CLI on the running server's database, and see the VPN follow at
// the next login (radclient as the gateway, oathtool as the phone or the token).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';
import { createAgent, hiddenField } from '../support/tessera.ts';
import { base32Encode } from '../../src/otp/index.ts';

const secret = 'a-shared-secret-of-32-characters!';

for (const dialect of await testDialects()) {
  describe(`helpdesk OTP tools on ${dialect}`, () => {
    let tessera: RunningTessera;
    before(async () => {
      // Held back after one wrong code, so the test need not type ten.
      tessera = await startTessera(dialect, {
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret, passwordAndCode: true }] },
        otp: { freeFailures: 1 },
      });
      await tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
    });
    after(() => tessera.stop());

    const cli = (...args: string[]) => runCli(args, operatorEnvironment(tessera));
    const login = async (user: string, password: string) => {
      const reply = await radclient({
        port: tessera.radiusAddress()!.port,
        secret,
        command: 'auth',
        attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
        timeoutSeconds: 5,
      });
      return { code: reply.code, message: reply.attributes.find((a) => a.name === 'Reply-Message')?.value };
    };
    const wrong = (key: string) => String((Number(oathtool(key)) + 500_000) % 1_000_000).padStart(6, '0');

    it('shows a token held back after wrong codes, lifts the hold, and the VPN takes the next right code', async () => {
      const user = `locked-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({
        email: user,
        password: 'a vpn passphrase',
        workforce: true,
      });
      const key = await enrolMobileToken(tessera, account.id, user);
      assert.equal((await login(user, `a vpn passphrase${wrong(key)}`)).code, 'Access-Reject');
      const locked = await login(user, `a vpn passphrase${oathtool(key)}`);
      assert.equal(locked.code, 'Access-Reject', 'a token held back refuses even the right code');
      assert.match(locked.message ?? '', /contact IT support/);

      const listed = await cli('otp', 'tokens', '--user', user.toUpperCase());
      assert.equal(listed.code, 0, listed.stderr);
      const [header, row, ...rest] = listed.stdout.trim().split('\n');
      assert.match(header, /^SERIAL\s+TYPE\s+STATE\s+FAILED CODES\s+LOCKED UNTIL \(UTC\)\s+REGISTERED \(UTC\)$/);
      assert.match(
        row,
        /^\S+\s+mobile\s+active\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d{4}-/,
        'one failed code, held back until a time shown',
      );
      assert.deepEqual(rest, []);
      assert.ok(!listed.stdout.includes(key), 'never the secret');
      const serial = row.split(/\s+/)[0];

      const unlocked = await cli('otp', 'unlock', '--serial', serial);
      assert.equal(unlocked.code, 0, unlocked.stderr);
      assert.match(unlocked.stdout, new RegExp(`^unlocked ${serial}`));
      const [token] = JSON.parse((await cli('otp', 'tokens', '--user', user, '--format', 'json')).stdout) as Array<{
        state: string;
        failures: number;
      }>;
      assert.deepEqual([token.state, token.failures], ['active', 0]);
      // The right code refused while held back was never checked, so it is still unused.
      const afterUnlock = await login(user, `a vpn passphrase${oathtool(key)}`);
      assert.equal(afterUnlock.code, 'Access-Accept', afterUnlock.message);

      // One row by the operator, the token change its step, about the person.
      const [audited] = await tessera.audit.list({ action: 'helpdesk', limit: 1 });
      assert.deepEqual(
        [audited.actor, audited.action, audited.subject, audited.details.serial],
        ['operator', 'helpdesk.otp_unlock', account.id, serial],
      );
    });

    it('lists no registration abandoned as a token: only what the person logs in with (issue 17)', async () => {
      const user = `abandoned-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({
        email: user,
        password: 'a vpn passphrase',
        workforce: true,
      });
      await tessera.otp.beginEnrolment(account.id, user, 'mobile', { proof: 'first_factor' });
      const none = await cli('otp', 'tokens', '--user', user);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout.trim(), 'no OTP tokens: the person has not registered one');
      await enrolMobileToken(tessera, account.id, user);
      await tessera.otp.beginEnrolment(account.id, user, 'mobile', { proof: 'second_factor' });
      const json = await cli('otp', 'tokens', '--user', user, '--format', 'json');
      const listed = JSON.parse(json.stdout) as Array<{ state: string }>;
      assert.deepEqual(
        listed.map((t) => t.state),
        ['active'],
      );
    });

    it("unbinds a lost phone's token: it stops at once, and the person is told to register a new one", async () => {
      const user = `lost-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({
        email: user,
        password: 'a vpn passphrase',
        workforce: true,
      });
      const key = await enrolMobileToken(tessera, account.id, user);
      const [token] = await tessera.otp.list(account.id);
      const unbound = await cli('otp', 'unbind', '--serial', token.serial);
      assert.equal(unbound.code, 0, unbound.stderr);
      assert.match(unbound.stdout, /no longer works/);
      const after = await login(user, `a vpn passphrase${oathtool(key)}`);
      assert.equal(after.code, 'Access-Reject', "the lost phone's code opens nothing");
      assert.match(after.message ?? '', /register it on the account page/);
      assert.match((await cli('otp', 'tokens', '--user', user)).stdout, /^no OTP tokens|revoked/m);
      const again = await cli('otp', 'unbind', '--serial', token.serial);
      assert.equal(again.code, 1, 'a token unbound already is not unbound twice');
      assert.match(again.stderr, /no token with serial/);
    });

    it('imports hardware tokens from a seed file checked whole first, and assigns one by serial: it works at once', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-seeds-'));
      const seeds = [randomBytes(20), randomBytes(20)];
      const serials = [`HW${dialect}0001`, `HW${dialect}0002`];
      const bad = join(dir, 'bad.csv');
      writeFileSync(
        bad,
        [
          'serial,secret,digits,period',
          `${serials[0]},${seeds[0].toString('hex')}`,
          `${serials[1]},${randomBytes(8).toString('hex')}`,
          `HWX3,${randomBytes(20).toString('hex')},7`,
          `${serials[0]},${randomBytes(20).toString('hex')}`,
          `two words,${randomBytes(20).toString('hex')}`,
        ].join('\n'),
      );
      const refused = await cli('otp', 'import', '--file', bad);
      assert.equal(refused.code, 1);
      assert.deepEqual(refused.stderr.trim().split('\n'), [
        'line 3: hardware token: secret of 16–64 bytes, 6 or 8 digits, a 30 or 60 s period or null, SHA1/SHA256/SHA512',
        'line 4: expected serial,secret in hex[,6|8[,30|60|hotp]]',
        `line 5: serial ${serials[0]} appears twice in the file`,
        'line 6: the serial must be 1–64 letters, digits or . _ : -',
        `nothing imported: mend ${bad} and run again`,
      ]);
      assert.match(
        (await cli('otp', 'assign', '--user', 'nobody-yet@example.com', '--serial', serials[0])).stderr,
        /no account matches/,
      );
      assert.match(
        (await cli('otp', 'import', '--file', join(dir, 'missing.csv'))).stderr,
        /^otp import: cannot read .*missing\.csv \(ENOENT\)$/m,
      );

      const good = join(dir, 'good.csv');
      writeFileSync(
        good,
        `# from the vendor\n${serials[0]},${seeds[0].toString('hex')}\n${serials[1]},${seeds[1].toString('hex')},8,60\n`,
      );
      const imported = await cli('otp', 'import', '--file', good);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal(imported.stdout.trim(), 'imported 2 hardware token(s)');
      const again = await cli('otp', 'import', '--file', good);
      assert.equal(
        again.stdout.trim(),
        `imported 0 hardware token(s); already there, left as they were: ${serials.join(', ')}`,
        'a second run changes nothing',
      );

      const user = `hardware-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      const assigned = await cli('otp', 'assign', '--user', user, '--serial', serials[0]);
      assert.equal(assigned.code, 0, assigned.stderr);
      const key = base32Encode(seeds[0]);
      assert.equal(
        (await login(user, `a vpn passphrase${oathtool(key)}`)).code,
        'Access-Accept',
        "the token's own code, from oathtool",
      );
      assert.match(
        (await cli('otp', 'tokens', '--user', user)).stdout,
        new RegExp(`^${serials[0]}\\s+hardware\\s+active`, 'm'),
      );

      // T18: a token that is someone's is not given to another.
      const other = `hardware-other-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: other, password: 'a vpn passphrase', workforce: true });
      const taken = await cli('otp', 'assign', '--user', other, '--serial', serials[0]);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /belongs to someone already/);
      assert.match(
        (await cli('otp', 'assign', '--user', other, '--serial', 'HWNOSUCH')).stderr,
        /no imported hardware token has serial HWNOSUCH/,
      );
      for (const output of [refused, imported, again, assigned, taken]) {
        for (const seed of seeds)
          assert.ok(!`${output.stdout}${output.stderr}`.includes(seed.toString('hex')), 'a seed is never printed');
      }
    });

    it('refuses unknown people and serials, and hostile input, with a clear message and nothing changed', async () => {
      const nobody = await cli('otp', 'tokens', '--user', 'nobody@example.com');
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /^no account matches nobody@example\.com/);
      for (const serial of ['NOSUCH0001', "x'; drop table otp_tokens; --", '*', ' '.repeat(3)]) {
        const refused = await cli('otp', 'unlock', '--serial', serial);
        assert.equal(refused.code, 1, serial);
        assert.match(refused.stderr, /no token with serial|--serial is required/, serial);
      }
      assert.match((await cli('otp', 'unlock')).stderr, /--serial is required/);
      assert.match((await cli('otp', 'tokens')).stderr, /--user is required/);
      assert.ok(
        await tessera.store.db.selectFrom('otp_tokens').select('id').limit(1).executeTakeFirst(),
        'the tokens table is still there',
      );
      assert.deepEqual(
        await tessera.audit.list({ action: 'helpdesk.otp_unlock', limit: 10 }).then((rows) => rows.length),
        1,
        'refusals change nothing and record no unlock',
      );
    });
  });
}

// "I know I am entering the right IT code and password": what `tessera audit` shows the helpdesk about a directory
// person's VPN logins (slapd as the directory, radclient as the gateway), under any form of the name they give.
for (const dialect of await testDialects()) {
  describe(`the helpdesk reads a directory person's VPN logins on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    // Real time, moved on by the test to let a challenge expire.
    let aheadMs = 0;
    const clock = { now: () => Date.now() + aheadMs };
    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(
        dialect,
        {
          directory: fixtureConfig('openldap', [slapd.url]),
          radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
        },
        { clock },
      );
      await tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    const cli = (...args: string[]) => runCli(args, operatorEnvironment(tessera));
    type Row = {
      id: number;
      seq: number;
      action: string;
      outcome: string;
      subject: string | null;
      source: string | null;
      details: Record<string, unknown> & { steps?: Array<{ action: string; outcome: string; details?: object }> };
    };
    const audit = async (...args: string[]): Promise<Row[]> => {
      const listed = await cli('audit', ...args, '--format', 'json');
      assert.equal(listed.code, 0, listed.stderr);
      return JSON.parse(listed.stdout) as Row[];
    };
    const steps = (row: Row) => row.details.steps?.map((s) => `${s.action}:${s.outcome}`);
    const send = (user: string, password: string, extra: string[] = []) =>
      radclient({
        port: tessera.radiusAddress()!.port,
        secret,
        command: 'auth',
        timeoutSeconds: 5,
        attributes: [
          `User-Name = "${user}"`,
          `User-Password = "${password}"`,
          'Message-Authenticator = 0x00',
          ...extra,
        ],
      });
    const attribute = (reply: Awaited<ReturnType<typeof send>>, name: string) =>
      reply.attributes.find((a) => a.name === name)?.value;
    const aliceForms = ['CORP\\alice', 'alice@example.org', 'alice'];
    let aliceId: string;
    let key: string;

    it('sees a login by Access-Challenge as one row: the directory sign-in and the code, the gateway and its address; a replayed code likewise', async () => {
      // The first login creates alice's account and tells her to register a token.
      const unregistered = await send('alice', 'correct horse battery');
      assert.match(
        attribute(unregistered, 'Reply-Message') ?? '',
        /register it at http:\/\/localhost:\d+\/otp\/register, then/,
      );
      aliceId = (await tessera.accounts.findByLogin('alice'))!.id;
      key = await enrolMobileToken(tessera, aliceId, 'alice');

      const challenge = await send('CORP\\alice', 'correct horse battery');
      assert.equal(challenge.code, 'Access-Challenge');
      const code = oathtool(key);
      const accepted = await send('CORP\\alice', code, [`State = ${attribute(challenge, 'State')}`]);
      assert.equal(accepted.code, 'Access-Accept');
      const again = await send('alice', 'correct horse battery');
      assert.equal(again.code, 'Access-Challenge');
      const replayed = await send('alice', code, [`State = ${attribute(again, 'State')}`]);
      assert.match(attribute(replayed, 'Reply-Message') ?? '', /already used/);

      const [refused, accept, mustEnrol, ...rest] = await audit('--user', 'alice@example.org', '--action', 'radius');
      assert.deepEqual(rest, []);
      assert.deepEqual(
        { ...accept, id: 0, chain: '', seq: 0, at: 0 },
        {
          id: 0,
          chain: '',
          seq: 0,
          at: 0,
          actor: aliceId,
          action: 'radius.accept',
          outcome: 'success',
          subject: aliceId,
          source: '127.0.0.1',
          details: {
            client: 'vpn',
            user: 'CORP\\alice',
            factors: ['pwd', 'otp'],
            steps: [
              { action: 'account.sign_in', outcome: 'success', details: { source: 'directory', created: false } },
              accept.details.steps![1],
            ],
          },
        },
      );
      assert.deepEqual(steps(accept), ['account.sign_in:success', 'otp.validate:success']);
      assert.deepEqual(
        [
          refused.action,
          refused.subject,
          refused.source,
          refused.details.client,
          refused.details.user,
          refused.details.reason,
          steps(refused),
        ],
        [
          'radius.reject',
          aliceId,
          '127.0.0.1',
          'vpn',
          'alice',
          'otp.replayed',
          ['account.sign_in:success', 'otp.validate:replayed'],
        ],
      );
      // Every reason names who decided, `radius.` for the VPN flow's own.
      assert.deepEqual(
        [mustEnrol.details.reason, steps(mustEnrol)],
        ['radius.must_enrol', ['account.sign_in:success']],
      );
      assert.deepEqual(
        await audit('--user', 'alice', '--action', 'account'),
        [],
        'no password step is a row of its own, without gateway or address',
      );

      const table = await cli('audit', '--user', 'CORP\\alice', '--action', 'radius', '--limit', '2');
      const [, replayedLine, acceptedLine] = table.stdout.trim().split('\n');
      assert.match(
        replayedLine,
        /radius\.reject\s+failure\s+alice\s+127\.0\.0\.1\s+reason=otp\.replayed client=vpn user=alice steps: account\.sign_in success, otp\.validate replayed$/,
      );
      assert.match(
        acceptedLine,
        /radius\.accept\s+success\s+alice\s+127\.0\.0\.1\s+client=vpn user=CORP\\alice factors=\["pwd","otp"\] steps: account\.sign_in success, otp\.validate success$/,
      );
    });

    it("lists alice's refusals for a wrong password, an empty one and an unreachable directory under every form of her name; a name nobody has by the name typed", async () => {
      const wrong = await send('alice', 'not her password');
      assert.equal(attribute(wrong, 'Reply-Message'), 'Your IT code or password is incorrect.');
      const empty = await send('CORP\\alice', '');
      assert.equal(
        attribute(empty, 'Reply-Message'),
        'Your IT code or password is incorrect.',
        'the same answer as a wrong password',
      );
      await slapd.stop();
      try {
        assert.match(
          attribute(await send('alice', 'correct horse battery'), 'Reply-Message') ?? '',
          /cannot be reached/,
        );
        // The sign-in page too: refused, and audited about alice.
        const agent = createAgent();
        const page = await agent.follow(`${tessera.url}/account/login`, tessera.url);
        const signIn = await agent.postForm(`${page.url}/login`, {
          csrf: hiddenField(await page.response.text(), 'csrf'),
          email: 'CORP\\alice',
          password: 'correct horse battery',
        });
        assert.equal(signIn.status, 503);
      } finally {
        await slapd.restart();
      }
      const nobody = await send('nobody-at-all', 'not her password');
      assert.equal(
        attribute(nobody, 'Reply-Message'),
        attribute(wrong, 'Reply-Message'),
        'a name nobody has gets the same answer',
      );
      // A NUL in the name (radclient sends \000 as the octet 0; PostgreSQL text cannot hold it) or a filter in it:
      // refused like any wrong password.
      for (const hostile of ['"alice\\000"', '"*)(uid=*"']) {
        const refused = await radclient({
          port: tessera.radiusAddress()!.port,
          secret,
          command: 'auth',
          timeoutSeconds: 5,
          attributes: [
            `User-Name = ${hostile}`,
            'User-Password = "correct horse battery"',
            'Message-Authenticator = 0x00',
          ],
        });
        assert.equal(attribute(refused, 'Reply-Message'), attribute(wrong, 'Reply-Message'), hostile);
      }

      const expected = [
        ['account.sign_in', 'directory.unreachable'],
        ['radius.reject', 'directory.unreachable'],
        ['radius.reject', 'radius.no_password'],
        ['radius.reject', 'directory.wrong_password'],
      ];
      for (const name of aliceForms) {
        const rows = await audit('--user', name, '--limit', '4');
        assert.deepEqual(
          rows.map((r) => [r.action, r.details.reason]),
          expected,
          name,
        );
        assert.ok(
          rows.every((r) => r.subject === aliceId),
          `${name}: each is about alice`,
        );
      }
      const [nobodyRow, ...others] = await audit('--user', 'nobody-at-all');
      assert.deepEqual(
        [nobodyRow.action, nobodyRow.subject, nobodyRow.details.user, nobodyRow.details.reason, others],
        ['radius.reject', null, 'nobody-at-all', 'directory.wrong_password', []],
      );
      assert.ok(!(await audit('--user', 'alice')).some((r) => r.id === nobodyRow.id), "and not with alice's");
    });

    it('records a challenge never answered once, when its State expires and is purged: password right, no code typed', async () => {
      const [before] = await audit('--limit', '1');
      const challenge = await send('alice', 'correct horse battery');
      assert.equal(challenge.code, 'Access-Challenge');
      await tessera.housekeeping();
      assert.deepEqual(
        (await audit('--limit', '1'))[0].id,
        before.id,
        'a challenge waiting for its code leaves no row yet',
      );

      aheadMs += 121_000;
      await tessera.housekeeping();
      await tessera.housekeeping();
      const rows = await audit('--user', 'CORP\\alice', '--action', 'radius.reject');
      const unanswered = rows.filter((r) => r.details.reason === 'radius.challenge_unanswered');
      assert.equal(unanswered.length, 1, 'once');
      assert.deepEqual(
        [
          unanswered[0].subject,
          unanswered[0].source,
          unanswered[0].details.client,
          unanswered[0].details.user,
          steps(unanswered[0]),
        ],
        [aliceId, '127.0.0.1', 'vpn', 'alice', ['account.sign_in:success']],
      );
      const table = await cli('audit', '--user', 'alice', '--limit', '1');
      assert.match(
        table.stdout,
        /radius\.reject\s+failure\s+alice\s+127\.0\.0\.1\s+reason=radius\.challenge_unanswered client=vpn user=alice challengedAt=\d{4}-\d\d-\d\dT[\d:.]+Z steps: account\.sign_in success/,
      );

      // The purged State answered now, and one answered after it expired but before a purge: refused as too late,
      // each one row about alice, and the late one never reported unanswered as well.
      const purged = await send('alice', oathtool(key, clock.now()), [`State = ${attribute(challenge, 'State')}`]);
      assert.match(attribute(purged, 'Reply-Message') ?? '', /took too long|Start again/);
      const slow = await send('alice', 'correct horse battery');
      aheadMs += 121_000;
      const late = await send('alice', oathtool(key, clock.now()), [`State = ${attribute(slow, 'State')}`]);
      assert.match(attribute(late, 'Reply-Message') ?? '', /took too long|Start again/);
      await tessera.housekeeping();
      const [lateRow, purgedRow] = await audit('--user', 'alice', '--limit', '2');
      assert.deepEqual(
        [lateRow.subject, lateRow.details.reason, steps(lateRow)],
        [aliceId, 'radius.challenge_expired', ['account.sign_in:success']],
      );
      assert.deepEqual([purgedRow.subject, purgedRow.details.reason], [aliceId, 'radius.state_invalid']);
    });
  });
}
