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
      await tessera.policies.save({ appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} }, 0);
    });
    after(() => tessera.stop());

    const cli = (...args: string[]) => runCli(args, operatorEnvironment(tessera));
    const login = async (user: string, password: string) => {
      const reply = await radclient({ port: tessera.radiusAddress()!.port, secret, command: 'auth', attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'], timeoutSeconds: 5 });
      return { code: reply.code, message: reply.attributes.find((a) => a.name === 'Reply-Message')?.value };
    };
    const wrong = (key: string) => String((Number(oathtool(key)) + 500_000) % 1_000_000).padStart(6, '0');

    it('shows a token held back after wrong codes, lifts the hold, and the VPN takes the next right code', async () => {
      const user = `locked-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      const key = await enrolMobileToken(tessera, account.id, user);
      assert.equal((await login(user, `a vpn passphrase${wrong(key)}`)).code, 'Access-Reject');
      const locked = await login(user, `a vpn passphrase${oathtool(key)}`);
      assert.equal(locked.code, 'Access-Reject', 'a token held back refuses even the right code');
      assert.match(locked.message ?? '', /contact IT support/);

      const listed = await cli('otp', 'tokens', '--user', user.toUpperCase());
      assert.equal(listed.code, 0, listed.stderr);
      const [header, row, ...rest] = listed.stdout.trim().split('\n');
      assert.match(header, /^SERIAL\s+TYPE\s+STATE\s+FAILED CODES\s+LOCKED UNTIL \(UTC\)\s+REGISTERED \(UTC\)$/);
      assert.match(row, /^\S+\s+mobile\s+active\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d{4}-/, 'one failed code, held back until a time shown');
      assert.deepEqual(rest, []);
      assert.ok(!listed.stdout.includes(key), 'never the secret');
      const serial = row.split(/\s+/)[0];

      const unlocked = await cli('otp', 'unlock', '--serial', serial);
      assert.equal(unlocked.code, 0, unlocked.stderr);
      assert.match(unlocked.stdout, new RegExp(`^unlocked ${serial}`));
      const [token] = JSON.parse((await cli('otp', 'tokens', '--user', user, '--format', 'json')).stdout) as Array<{ state: string; failures: number }>;
      assert.deepEqual([token.state, token.failures], ['active', 0]);
      // The right code refused while held back was never checked, so it is still unused.
      const afterUnlock = await login(user, `a vpn passphrase${oathtool(key)}`);
      assert.equal(afterUnlock.code, 'Access-Accept', afterUnlock.message);

      // One row by the operator, the token change its step, about the person.
      const [audited] = await tessera.audit.list({ action: 'helpdesk', limit: 1 });
      assert.deepEqual([audited.actor, audited.action, audited.subject, audited.details.serial], ['operator', 'helpdesk.otp_unlock', account.id, serial]);
    });

    it('unbinds a lost phone\'s token: it stops at once, and the person is told to register a new one', async () => {
      const user = `lost-${dialect}@example.com`;
      const account = await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      const key = await enrolMobileToken(tessera, account.id, user);
      const [token] = await tessera.otp.list(account.id);
      const unbound = await cli('otp', 'unbind', '--serial', token.serial);
      assert.equal(unbound.code, 0, unbound.stderr);
      assert.match(unbound.stdout, /no longer works/);
      const after = await login(user, `a vpn passphrase${oathtool(key)}`);
      assert.equal(after.code, 'Access-Reject', 'the lost phone\'s code opens nothing');
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
      writeFileSync(bad, [
        'serial,secret,digits,period', `${serials[0]},${seeds[0].toString('hex')}`, `${serials[1]},${randomBytes(8).toString('hex')}`,
        `HWX3,${randomBytes(20).toString('hex')},7`, `${serials[0]},${randomBytes(20).toString('hex')}`, `two words,${randomBytes(20).toString('hex')}`,
      ].join('\n'));
      const refused = await cli('otp', 'import', '--file', bad);
      assert.equal(refused.code, 1);
      assert.deepEqual(refused.stderr.trim().split('\n'), [
        'line 3: hardware token: secret of 16–64 bytes, 6 or 8 digits, a 30 or 60 s period or null, SHA1/SHA256/SHA512',
        'line 4: expected serial,secret in hex[,6|8[,30|60|hotp]]',
        `line 5: serial ${serials[0]} appears twice in the file`,
        'line 6: the serial must be 1–64 letters, digits or . _ : -',
        `nothing imported: mend ${bad} and run again`,
      ]);
      assert.match((await cli('otp', 'assign', '--user', 'nobody-yet@example.com', '--serial', serials[0])).stderr, /no account matches/);
      assert.match((await cli('otp', 'import', '--file', join(dir, 'missing.csv'))).stderr, /^otp import: cannot read .*missing\.csv \(ENOENT\)$/m);

      const good = join(dir, 'good.csv');
      writeFileSync(good, `# from the vendor\n${serials[0]},${seeds[0].toString('hex')}\n${serials[1]},${seeds[1].toString('hex')},8,60\n`);
      const imported = await cli('otp', 'import', '--file', good);
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal(imported.stdout.trim(), 'imported 2 hardware token(s)');
      const again = await cli('otp', 'import', '--file', good);
      assert.equal(again.stdout.trim(), `imported 0 hardware token(s); already there, left as they were: ${serials.join(', ')}`, 'a second run changes nothing');

      const user = `hardware-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: user, password: 'a vpn passphrase', workforce: true });
      const assigned = await cli('otp', 'assign', '--user', user, '--serial', serials[0]);
      assert.equal(assigned.code, 0, assigned.stderr);
      const key = base32Encode(seeds[0]);
      assert.equal((await login(user, `a vpn passphrase${oathtool(key)}`)).code, 'Access-Accept', 'the token\'s own code, from oathtool');
      assert.match((await cli('otp', 'tokens', '--user', user)).stdout, new RegExp(`^${serials[0]}\\s+hardware\\s+active`, 'm'));

      // T18: a token that is someone's is not given to another.
      const other = `hardware-other-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email: other, password: 'a vpn passphrase', workforce: true });
      const taken = await cli('otp', 'assign', '--user', other, '--serial', serials[0]);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /belongs to someone already/);
      assert.match((await cli('otp', 'assign', '--user', other, '--serial', 'HWNOSUCH')).stderr, /no imported hardware token has serial HWNOSUCH/);
      for (const output of [refused, imported, again, assigned, taken]) {
        for (const seed of seeds) assert.ok(!`${output.stdout}${output.stderr}`.includes(seed.toString('hex')), 'a seed is never printed');
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
      assert.ok(await tessera.store.db.selectFrom('otp_tokens').select('id').limit(1).executeTakeFirst(), 'the tokens table is still there');
      assert.deepEqual(await tessera.audit.list({ action: 'helpdesk.otp_unlock', limit: 10 }).then((rows) => rows.length), 1, 'refusals change nothing and record no unlock');
    });
  });
}
