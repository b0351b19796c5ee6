// `tessera admin grant|revoke|list` as an operator runs them at the server: the command line acts as the local
// superuser, so every command it had keeps working, and what it grants is what the console and API later obey.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';

/** Another process that takes SQLite's write lock and keeps it for `ms`, as a long write of a server's would. */
function holdWriteLock(path: string, ms: number): { held: Promise<void>; done: Promise<void> } {
  const script = `const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    db.exec('PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE');
    console.log('held');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ['-e', script, path, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
  });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { held, done };
}

for (const dialect of await testDialects()) {
  describe(`tessera admin (${dialect})`, () => {
    let tessera: RunningTessera;
    let env: Record<string, string | undefined>;
    const cli = (...args: string[]) => runCli(args, env);
    before(async () => {
      tessera = await startTessera(dialect);
      env = operatorEnvironment(tessera);
      await tessera.admin({ kind: 'local', actor: 'test' }).addUser({
        email: 'maria@example.com',
        password: 'a long enough passphrase',
        workforce: true,
      });
    });
    after(() => tessera.stop());

    it('grants, lists and revokes roles, and tells the first administrator how to begin', async () => {
      const empty = await cli('admin', 'list');
      assert.equal(empty.code, 0, empty.stderr);
      assert.match(empty.stdout, /no roles granted: grant the first with admin grant --user NAME --role admin/);
      const granted = await cli('admin', 'grant', '--user', 'maria@example.com', '--role', 'helpdesk', '--scope', 'RO');
      assert.deepEqual(
        [granted.code, granted.stdout.trim()],
        [0, 'granted helpdesk for the members of RO to maria@example.com'],
      );
      const twice = await cli('admin', 'grant', '--user', 'MARIA@example.com', '--role', 'helpdesk', '--scope', 'ro');
      assert.match(twice.stdout, /holds helpdesk for the members of ro already/);
      const auditors = await cli('admin', 'grant', '--group', 'Auditors', '--role', 'auditor');
      assert.equal(auditors.code, 0, auditors.stderr);
      const ou = 'ou=Romania,ou=people,dc=example,dc=org';
      const byOu = await cli('admin', 'grant', '--group', 'RO Support', '--role', 'helpdesk', '--scope', ou);
      assert.deepEqual(
        [byOu.code, byOu.stdout.trim()],
        [0, `granted helpdesk for the people in OU ${ou} to group RO Support`],
      );
      const table = await cli('admin', 'list');
      assert.match(table.stdout, /^ROLE +TO +LIMITED TO +GRANTED BY +SINCE \(UTC\)$/m);
      assert.match(table.stdout, /^auditor +group Auditors +operator/m);
      assert.match(table.stdout, /^helpdesk +maria@example\.com +group RO +operator/m);
      assert.match(table.stdout, /^helpdesk +group RO Support +OU ou=Romania,ou=people,dc=example,dc=org +operator/m);
      const json = JSON.parse((await cli('admin', 'list', '--format', 'json')).stdout);
      assert.equal(json.length, 3);
      assert.deepEqual(json.find((g: { granteeName: string }) => g.granteeName === 'RO Support').scope, {
        kind: 'ou',
        dn: ou,
      });
      const revoked = await cli(
        'admin',
        'revoke',
        '--user',
        'maria@example.com',
        '--role',
        'helpdesk',
        '--scope',
        'RO',
      );
      assert.equal(revoked.code, 0, revoked.stderr);
      const rows = await tessera.audit.list({ action: 'admin.role', limit: 5 });
      assert.deepEqual(
        rows.map((r) => [r.action, r.actor]),
        [
          ['admin.role.revoke', 'operator'],
          ['admin.role.grant', 'operator'],
          ['admin.role.grant', 'operator'],
          ['admin.role.grant', 'operator'],
        ],
      );
    });

    it('says what is wrong with a grant, exit status 1, and 2 for a missing option', async () => {
      const cases: Array<[string[], number, RegExp]> = [
        [['--user', 'maria@example.com', '--role', 'root'], 1, /--role root must be admin, helpdesk or auditor/],
        [['--user', 'maria@example.com', '--role', 'auditor', '--scope', 'RO'], 1, /--scope limits a helpdesk grant/],
        [['--role', 'admin'], 1, /give either --user NAME or --group GROUP/],
        [['--user', 'nobody@example.com', '--role', 'admin'], 1, /no account matches nobody@example\.com/],
        [['--group', 'a(b)*', '--role', 'admin'], 1, /--group must be a directory group's name/],
        [
          ['--user', 'maria@example.com', '--role', 'helpdesk', '--scope', 'ou=RO,'],
          1,
          /--scope ou=RO, is not an OU's DN \(e\.g\. ou=Romania,ou=people,dc=example,dc=org\)/,
        ],
        [['--user', 'maria@example.com'], 2, /--role is required/],
      ];
      for (const [args, code, message] of cases) {
        const result = await cli('admin', 'grant', ...args);
        assert.equal(result.code, code, args.join(' '));
        assert.match(result.stderr, message, args.join(' '));
      }
      const revoke = await cli('admin', 'revoke', '--user', 'maria@example.com', '--role', 'admin');
      assert.deepEqual(
        [revoke.code, revoke.stderr.trim()],
        [1, 'admin revoke: no such grant: tessera admin list shows them'],
      );
    });

    if (dialect === 'sqlite')
      it("waits for a write lock another process holds longer than a server's request would wait", async () => {
        // CI saw `database is locked` from a grant while the server beside it held the lock past SQLite's 5 s.
        const holder = holdWriteLock(tessera.config.databaseUrl.slice('sqlite:'.length), 7_000);
        await holder.held;
        const granted = await cli('admin', 'grant', '--group', 'Night Shift', '--role', 'auditor');
        assert.deepEqual([granted.code, granted.stderr], [0, '']);
        await holder.done;
        assert.match((await cli('admin', 'list')).stdout, /^auditor +group Night Shift +operator/m);
      });

    it('keeps every other command working as before (the CLI is the local superuser)', async () => {
      const tokens = await cli('otp', 'tokens', '--user', 'maria@example.com');
      assert.equal(tokens.code, 0, tokens.stderr);
      assert.equal((await cli('audit', 'verify')).code, 0);
      assert.equal((await cli('policy', 'list')).code, 0);
    });
  });
}
