// The command line as a new operator meets it: help that exits 0, a missing option named, passwords and secrets
// read from standard input and never echoed, and an unknown command refused clearly.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { runCli } from '../support/cli.ts';

describe('tessera command line usage', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  before(async () => {
    database = await createTestDatabase('sqlite');
    env = {
      TESSERA_DATABASE_URL: database.url,
      TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-cli-usage-')),
      TESSERA_SECRETS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      TESSERA_LOG_LEVEL: 'silent',
    };
  });
  after(() => database.drop());
  const cli = (args: string[], input?: string) => runCli(args, env, input);

  it('shows help and exits 0, for the root and for a command', async () => {
    const root = await cli(['--help']);
    assert.equal(root.code, 0, root.stderr);
    assert.match(root.stdout, /^Usage: tessera /);
    for (const command of ['serve', 'client', 'user', 'radius', 'otp', 'audit']) {
      assert.match(root.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    }
    const userAdd = await cli(['user', 'add', '--help']);
    assert.equal(userAdd.code, 0, userAdd.stderr);
    assert.match(userAdd.stdout, /^Usage: tessera user add /);
    assert.match(userAdd.stdout, /--password-stdin/);
    assert.match(userAdd.stdout, /--password <password>\s+for scripts only/);
    assert.equal((await cli(['help', 'otp', 'unlock'])).code, 0);
    assert.match((await cli(['otp', 'unlock', '--help'])).stdout, /--serial <serial>/);
  });

  it('names a missing option, not an internal code', async () => {
    const noEmail = await cli(['user', 'add', '--password', 'a good long passphrase']);
    assert.equal(noEmail.code, 2);
    assert.match(noEmail.stderr, /^user add: --email is required/);
    const noPassword = await cli(['user', 'add', '--email', 'nopass@example.com']);
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /--password-stdin/);
    for (const result of [noEmail, noPassword]) {
      assert.doesNotMatch(result.stderr, /identity\.|at .*\.ts:\d+/, 'no code, no stack trace');
    }
    const noApp = await cli(['policy', 'set', '--otp', 'required']);
    assert.match(noApp.stderr, /^policy set: --app is required/);
  });

  it('reads the password from standard input with --password-stdin and never shows it', async () => {
    const password = `piped passphrase ${randomBytes(6).toString('hex')}`;
    const created = await cli(['user', 'add', '--email', 'piped@example.com', '--password-stdin'], `${password}\n`);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created customer account piped@example\.com/);
    assert.ok(!`${created.stdout}${created.stderr}`.includes(password), 'the password is not printed');

    // The password it stored is the one piped in, without its line ending: an address taken tells nothing else.
    const short = await cli(['user', 'add', '--email', 'short@example.com', '--password-stdin'], 'too short\n');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^user add: password: Use at least 15 characters\./m, "the catalogue's words");
    assert.ok(!short.stderr.includes('too short'), 'a refused password is not repeated');
    const both = await cli(['user', 'add', '--email', 'both@example.com', '--password', password, '--password-stdin']);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give --password or --password-stdin, not both/);
    assert.ok(!both.stderr.includes(password));
    const empty = await cli(['user', 'add', '--email', 'empty@example.com', '--password-stdin'], '');
    assert.match(empty.stderr, /--password-stdin: nothing was read/);
  });

  it('reads a RADIUS shared secret from standard input with --secret-stdin and never shows it', async () => {
    const secret = randomBytes(24).toString('base64url');
    const add = (name: string, address: string, input: string) =>
      cli(['radius', 'client', 'add', '--name', name, '--address', address, '--secret-stdin'], input);
    const added = await add('piped-gw', '10.9.0.1', `${secret}\n`);
    assert.equal(added.code, 0, added.stderr);
    assert.ok(!`${added.stdout}${added.stderr}`.includes(secret), 'the secret is not printed');
    assert.doesNotMatch(added.stdout, /shared secret:/, 'a secret given is not shown back');
    const short = await add('piped-gw2', '10.9.0.2', 'tooshort');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /secret: must be at least 16 octets/);
    assert.ok(!short.stderr.includes('tooshort'));
  });

  it('refuses an unknown command or option with a clear message and a non-zero exit', async () => {
    const unknown = await cli(['frobnicate']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const option = await cli(['audit', '--colour']);
    assert.notEqual(option.code, 0);
    assert.match(option.stderr, /unknown option '--colour'/);
    const nothing = await cli([]);
    assert.notEqual(nothing.code, 0, 'no command: the help, as an error');
    assert.match(`${nothing.stdout}${nothing.stderr}`, /Usage: tessera/);
  });
});
