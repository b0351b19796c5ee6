// Hardware tokens as the vendor ships them: `tessera otp import --file tokens.pskc` with the file's password or key,
// then `otp assign`, and the token's own code (oathtool) opens the VPN (radclient as the gateway). The files come
// from RFC 6030 itself and from another implementation (python-pskc); hostile ones store nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
import { rfcFigure3, rfcFigure6, rfcFigure7, vendorPskc } from '../support/pskc.ts';

const secret = 'a-shared-secret-of-32-characters!';
/** The code a token shows, by oathtool (RFC 4226/6238 reference), from its secret in hex. */
const hotpCode = (hex: string, counter: number, digits = 6) =>
  execFileSync('oathtool', ['--hotp', '-d', String(digits), '-c', String(counter), hex], { encoding: 'utf8' }).trim();
const totpCode = (hex: string, hash = 'sha1') =>
  execFileSync('oathtool', [`--totp=${hash}`, hex], { encoding: 'utf8' }).trim();

for (const dialect of await testDialects()) {
  describe(`PSKC import on ${dialect}`, () => {
    let tessera: RunningTessera;
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pskc-'));
    const file = (name: string, text: string | Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    before(async () => {
      tessera = await startTessera(dialect, {
        radius: { port: 0, clients: [{ name: 'vpn', address: '127.0.0.1', secret }] },
      });
      await tessera.policies.save(
        { appId: 'radius:vpn', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
        0,
      );
    });
    after(() => tessera.stop());

    const cli = (args: string[], input?: string) => runCli(args, operatorEnvironment(tessera), input);
    const send = (user: string, password: string, extra: string[] = []) =>
      radclient({
        port: tessera.radiusAddress()!.port,
        secret,
        command: 'auth',
        attributes: [
          `User-Name = "${user}"`,
          `User-Password = "${password}"`,
          'Message-Authenticator = 0x00',
          ...extra,
        ],
        timeoutSeconds: 5,
      });
    /** The password, then the code as the answer to the Access-Challenge ("second password"). */
    const vpn = async (user: string, code: string) => {
      const challenge = await send(user, 'a vpn passphrase');
      assert.equal(challenge.code, 'Access-Challenge');
      const state = challenge.attributes.find((a) => a.name === 'State')?.value;
      return (await send(user, code, [`State = ${state}`])).code;
    };
    const staff = async (name: string) => {
      const email = `${name}-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'a vpn passphrase', workforce: true });
      return email;
    };

    it("imports the vendor's password-protected file; the TOTP and HOTP tokens' own codes open the VPN", async () => {
      const totp = { serial: `PT-${dialect}`, secret: randomBytes(32), kind: 'totp' as const, suite: 'HMAC-SHA256' };
      const hotp = { serial: `PH-${dialect}`, secret: randomBytes(20), kind: 'hotp' as const, counter: 42 };
      const path = file('batch.pskc', vendorPskc([totp, hotp], { kind: 'password', password: 'vendor password' }));
      const missing = await cli(['otp', 'import', '--file', path]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /batch\.pskc is protected with a password: pipe it in with --password-stdin/);
      const wrong = await cli(['otp', 'import', '--file', path, '--password-stdin'], 'not the password\n');
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /the password or key is wrong, or the file was altered\nnothing imported: mend/);
      const imported = await cli(['otp', 'import', '--file', path, '--password-stdin'], 'vendor password\n');
      assert.deepEqual([imported.code, imported.stdout.trim()], [0, 'imported 2 hardware token(s)'], imported.stderr);

      const alice = await staff('alice');
      const toAlice = await cli(['otp', 'assign', '--user', alice, '--serial', totp.serial]);
      assert.equal(toAlice.code, 0, toAlice.stderr);
      assert.equal(await vpn(alice, totpCode(totp.secret.toString('hex'), 'sha256')), 'Access-Accept');
      const bob = await staff('bob');
      const toBob = await cli(['otp', 'assign', '--user', bob, '--serial', hotp.serial]);
      assert.equal(toBob.code, 0, toBob.stderr);
      const hex = hotp.secret.toString('hex');
      assert.equal(await vpn(bob, hotpCode(hex, 41)), 'Access-Reject', 'a code the factory used already');
      assert.equal(await vpn(bob, hotpCode(hex, 42)), 'Access-Accept', 'the first code the token shows');
      const row = (await tessera.audit.list({ action: 'helpdesk.otp_import', limit: 1 }))[0];
      assert.deepEqual([row.actor, row.details.format, row.details.imported], ['operator', 'pskc', 2]);
      assert.ok(!JSON.stringify(await tessera.audit.list({ limit: 50 })).includes(hex), 'no secret in the audit log');
    });

    it("imports RFC 6030's figures 6 (key) and 7 (password); figure 7's token opens the VPN", async () => {
      const keyFile = file('transport.key', '12345678901234567890123456789012\n');
      const noKey = await cli(['otp', 'import', '--file', file('figure6.pskc', rfcFigure6)]);
      assert.match(noKey.stderr, /figure6\.pskc is protected with a key: give --key-file/);
      const shortKey = await cli([
        'otp',
        'import',
        '--file',
        join(dir, 'figure6.pskc'),
        '--key-file',
        file('k', 'abcd'),
      ]);
      assert.match(shortKey.stderr, /--key-file must hold a 16, 24 or 32-byte key/);
      const six = await cli(['otp', 'import', '--file', join(dir, 'figure6.pskc'), '--key-file', keyFile]);
      assert.deepEqual([six.code, six.stdout.trim()], [0, 'imported 1 hardware token(s)'], six.stderr);
      // Figure 7 holds the same serial: left as it was, as a second run of any file.
      const seven = await cli(['otp', 'import', '--file', file('figure7.pskc', rfcFigure7), '--password', 'qwerty']);
      assert.equal(seven.stdout.trim(), 'imported 0 hardware token(s); already there, left as they were: 987654321');
      const carol = await staff('carol');
      assert.equal((await cli(['otp', 'assign', '--user', carol, '--serial', '987654321'])).code, 0);
      const rfcSecretHex = Buffer.from('12345678901234567890').toString('hex');
      assert.equal(await vpn(carol, hotpCode(rfcSecretHex, 0, 8)), 'Access-Accept');
    });

    it('stores nothing from a hostile or broken file: XXE, a wrong MAC, a serial twice', async () => {
      const serials = [`HX-${dialect}`, `HY-${dialect}`];
      const good = vendorPskc(
        serials.map((serial) => ({ serial, secret: randomBytes(20), kind: 'totp' as const })),
        { kind: 'password', password: 'p' },
      );
      const mac = /<pskc:ValueMAC>([^<]+)</.exec(good)![1];
      const hostile = {
        'xxe.pskc': rfcFigure3.replace(
          '<KeyContainer',
          '<!DOCTYPE KeyContainer [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<KeyContainer',
        ),
        'mac.pskc': good.replace(mac, Buffer.alloc(32).toString('base64')),
        'twice.pskc': good.replace(`>${serials[1]}<`, `>${serials[0]}<`),
      };
      const said: Record<string, RegExp> = {
        'xxe.pskc': /^the file declares a DOCTYPE or ENTITY: refused$/m,
        'mac.pskc': new RegExp(`^key package 1 \\(serial ${serials[0]}\\): its MAC does not match`, 'm'),
        'twice.pskc': new RegExp(`^key package 2 \\(serial ${serials[0]}\\): serial ${serials[0]} appears twice`, 'm'),
      };
      for (const [name, text] of Object.entries(hostile)) {
        const result = await cli(['otp', 'import', '--file', file(name, text), '--password', 'p']);
        assert.equal(result.code, 1, name);
        assert.match(result.stderr, said[name], name);
        assert.match(result.stderr, /nothing imported: mend/, name);
      }
      const dave = await staff('dave');
      for (const serial of serials) {
        const assign = await cli(['otp', 'assign', '--user', dave, '--serial', serial]);
        assert.match(assign.stderr, new RegExp(`no imported hardware token has serial ${serial}`), 'nothing stored');
      }
    });
  });
}
