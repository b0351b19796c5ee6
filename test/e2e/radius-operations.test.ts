// What a network administrator does with the running server: add a VPN gateway with `tessera radius client add`
// (answered without a restart, secret shown once and kept sealed), remove it, and read the VPN sessions the
// gateways report by accounting with `tessera radius sessions`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { radclient } from '../support/radclient.ts';
import { operatorEnvironment, runCli } from '../support/cli.ts';
const configuredSecret = 'configured-gateway-secret-32-chars';

for (const dialect of await testDialects()) {
  describe(`RADIUS gateways and VPN sessions for operators on ${dialect}`, () => {
    let tessera: RunningTessera;
    let port: number;
    before(async () => {
      // The configured client covers another address, so 127.0.0.1 is unknown until the operator adds it.
      tessera = await startTessera(dialect, {
        radius: {
          port: 0,
          clientRefreshMs: 200,
          clients: [{ name: 'configured', address: '192.0.2.1', secret: configuredSecret }],
        },
      });
      port = tessera.radiusAddress()!.port;
    });
    after(() => tessera.stop());

    // The CLI as an operator runs it: another process on the same database and key.
    const cli = (...args: string[]) =>
      runCli(args, {
        ...operatorEnvironment(tessera),
        TESSERA_RADIUS_CLIENTS: JSON.stringify([
          { name: 'configured', address: '192.0.2.1', secret: configuredSecret },
        ]),
      });
    // "No answer" checks wait radclient's short default; an answer we expect gets time for a loaded CI machine.
    const status = (secret: string, timeoutSeconds?: number) =>
      radclient({ port, secret, command: 'status', attributes: ['Message-Authenticator = 0x00'], timeoutSeconds });
    const accounting = (secret: string, attributes: string[]) =>
      radclient({ port: tessera.radiusAddress()!.accountingPort, secret, command: 'acct', attributes });
    // Adds a gateway for 127.0.0.1 and returns its secret once the running server knows it. An earlier test's
    // unknown-address packet may have spent this second's on-demand reload; the timed one follows within clientRefreshMs.
    const addKnownGateway = async (name: string) => {
      const added = await cli('radius', 'client', 'add', '--name', name, '--address', '127.0.0.1');
      assert.equal(added.code, 0, added.stderr);
      const secret = /shared secret: (\S+)/.exec(added.stdout)![1];
      // Letters and digits only: a secret starting with '-' was read by radclient as an option (1 add in 64).
      assert.match(secret, /^[A-Za-z0-9]{43}$/);
      for (let tries = 0; (await status(secret)).code !== 'Access-Accept'; tries++)
        assert.ok(tries < 5, 'the server never picked up the new gateway');
      return secret;
    };

    it('answers a gateway added by the CLI without a restart, shows its secret once, keeps it sealed, and stops after removal', async () => {
      assert.equal((await status('a-secret-nobody-configured-yet!!')).code, null, 'an unknown address gets no answer');
      // That packet spent this second's on-demand reload (a flood from unknown addresses costs one a second).
      await sleep(1100);

      const added = await cli(
        'radius',
        'client',
        'add',
        '--name',
        'vpn-lab',
        '--address',
        '127.0.0.1',
        '--password-and-code',
      );
      assert.equal(added.code, 0, added.stderr);
      const secret = /shared secret: (\S+)/.exec(added.stdout)![1];
      assert.ok(secret.length >= 32);
      assert.match(added.stdout, /"passwordAndCode": true/);
      assert.match(added.stdout, /"allowedGroups": \[\]/, 'no --group: every staff account');

      assert.equal((await status(secret, 5)).code, 'Access-Accept', 'the running server knows the new gateway at once');
      assert.equal((await status('the-wrong-shared-secret-for-it!!')).code, null);

      const row = await tessera.store.db
        .selectFrom('radius_clients')
        .selectAll()
        .where('name', '=', 'vpn-lab')
        .executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed.includes(secret), 'the secret is stored sealed');
      const listed = await cli('radius', 'client', 'list');
      assert.ok(
        !listed.stdout.includes(secret) && !listed.stdout.includes(configuredSecret),
        'a listing never shows a secret',
      );
      assert.deepEqual(
        (JSON.parse(listed.stdout) as Array<{ name: string; source: string }>).map((c) => `${c.name}:${c.source}`),
        ['configured:configuration', 'vpn-lab:database'],
      );

      const removed = await cli('radius', 'client', 'remove', '--name', 'vpn-lab');
      assert.equal(removed.code, 0, removed.stderr);
      await sleep(600);
      assert.equal((await status(secret)).code, null, 'a removed gateway is no longer answered');
      const actions = await tessera.store.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'like', 'radius.client.%')
        .execute();
      assert.deepEqual(actions.map((a) => a.action).sort(), ['radius.client.add', 'radius.client.remove']);
    });

    it('refuses a bad address, a short secret, a taken or configured name, with the field named and nothing stored', async () => {
      const badAddress = await cli('radius', 'client', 'add', '--name', 'gw', '--address', '10.0.0.0/33');
      assert.equal(badAddress.code, 1);
      assert.match(badAddress.stderr, /address: must be an IP address or a CIDR network/);
      const shortSecret = await cli(
        'radius',
        'client',
        'add',
        '--name',
        'gw',
        '--address',
        '10.0.0.1',
        '--secret',
        'tooshort',
      );
      assert.equal(shortSecret.code, 1);
      assert.match(shortSecret.stderr, /secret: must be at least 16 octets/);
      assert.ok(!shortSecret.stderr.includes('tooshort'), 'the error does not repeat the secret');
      const shadow = await cli('radius', 'client', 'add', '--name', 'configured', '--address', '10.0.0.1');
      assert.match(shadow.stderr, /already a configured client/);
      assert.equal((await cli('radius', 'client', 'add', '--name', 'gw', '--address', '10.0.0.1')).code, 0);
      const twice = await cli('radius', 'client', 'add', '--name', 'gw', '--address', '10.0.0.2');
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /already a client/);
      const emptyGroup = await cli(
        'radius',
        'client',
        'add',
        '--name',
        'gw-groups',
        '--address',
        '10.0.0.3',
        '--group',
        '',
      );
      assert.equal(emptyGroup.code, 1);
      assert.match(emptyGroup.stderr, /allowedGroups\.0:/);
      const missing = await cli('radius', 'client', 'remove', '--name', 'nobody');
      assert.match(missing.stderr, /no stored client is called nobody/);
      const rows = await tessera.store.db.selectFrom('radius_clients').select(['name', 'address']).execute();
      assert.deepEqual(
        rows.map((r) => `${r.name} ${r.address}`),
        ['gw 10.0.0.1'],
      );
      await cli('radius', 'client', 'remove', '--name', 'gw');

      // A gateway for some directory groups only keeps them, in the listing and in what running servers load.
      assert.equal(
        (
          await cli(
            'radius',
            'client',
            'add',
            '--name',
            'gw-staff',
            '--address',
            '10.0.0.4',
            '--group',
            'VPN Users',
            '--group',
            'contractors',
          )
        ).code,
        0,
      );
      const listed = JSON.parse((await cli('radius', 'client', 'list')).stdout) as Array<{
        name: string;
        allowedGroups: string[];
      }>;
      assert.deepEqual(listed.find((c) => c.name === 'gw-staff')?.allowedGroups, ['VPN Users', 'contractors']);
      assert.deepEqual((await tessera.radiusClients.load()).find((c) => c.name === 'gw-staff')?.allowedGroups, [
        'VPN Users',
        'contractors',
      ]);
      await cli('radius', 'client', 'remove', '--name', 'gw-staff');
    });

    it('shows VPN sessions from accounting: start, interim counters, stop with its cause, and a gateway restart ending the rest', async () => {
      const secret = await addKnownGateway('vpn-acct');
      const session = (id: string, user: string, status: string, extra: string[] = []) =>
        accounting(secret, [
          `User-Name = "${user}"`,
          `Acct-Session-Id = "${id}"`,
          `Acct-Status-Type = ${status}`,
          'NAS-IP-Address = 192.0.2.50',
          'Framed-IP-Address = 10.8.0.12',
          'Calling-Station-Id = "203.0.113.7"',
          ...extra,
        ]);
      assert.equal((await session('s-1', 'CORP\\jsmith', 'Start')).code, 'Accounting-Response');
      assert.equal(
        (
          await session('s-1', 'CORP\\jsmith', 'Interim-Update', [
            'Acct-Session-Time = 600',
            'Acct-Input-Octets = 1048576',
            'Acct-Output-Octets = 5',
            'Acct-Output-Gigawords = 1',
          ])
        ).code,
        'Accounting-Response',
      );
      assert.equal((await session('s-2', 'CORP\\adoe', 'Start')).code, 'Accounting-Response');
      assert.equal((await session('s-3', 'CORP\\bking', 'Start')).code, 'Accounting-Response');
      assert.equal(
        (
          await session('s-1', 'CORP\\jsmith', 'Stop', [
            'Acct-Session-Time = 900',
            'Acct-Input-Octets = 2097152',
            'Acct-Terminate-Cause = Idle-Timeout',
          ])
        ).code,
        'Accounting-Response',
      );
      // A Stop whose Start was lost still makes a session, dated back by its Acct-Session-Time.
      assert.equal(
        (
          await session('s-4', 'CORP\\late', 'Stop', [
            'Acct-Session-Time = 3600',
            'Acct-Terminate-Cause = User-Request',
          ])
        ).code,
        'Accounting-Response',
      );

      const jsmith = (await tessera.vpnSessions.list({ userName: 'CORP\\jsmith' }))[0];
      assert.equal(jsmith.inputOctets, 2097152);
      assert.equal(jsmith.outputOctets, 2 ** 32 + 5, 'Gigawords count the wraps of the 32-bit counter');
      assert.equal(jsmith.terminateCause, 'Idle-Timeout');
      assert.equal(jsmith.framedAddress, '10.8.0.12');
      const late = (await tessera.vpnSessions.list({ userName: 'CORP\\late' }))[0];
      assert.ok(Math.abs(late.stoppedAt! - late.startedAt - 3600_000) < 5000);

      const active = await cli('radius', 'sessions', '--active');
      assert.equal(active.code, 0, active.stderr);
      assert.match(active.stdout, /^USER\s+GATEWAY\s+ADDRESS/);
      assert.match(active.stdout, /CORP\\adoe\s+vpn-acct\s+10\.8\.0\.12\s+203\.0\.113\.7/);
      assert.ok(!active.stdout.includes('jsmith'), 'an ended session is not active');
      const all = JSON.parse((await cli('radius', 'sessions', '--format', 'json')).stdout) as Array<{
        userName: string;
        stoppedAt: number | null;
      }>;
      assert.equal(all.length, 4);

      // Accounting-On: the gateway restarted, so the sessions it had open are over.
      assert.equal(
        (await accounting(secret, ['Acct-Status-Type = Accounting-On', 'NAS-IP-Address = 192.0.2.50'])).code,
        'Accounting-Response',
      );
      assert.deepEqual(await tessera.vpnSessions.list({ active: true }), []);
      assert.equal((await tessera.vpnSessions.list({ userName: 'CORP\\adoe' }))[0].terminateCause, 'NAS-Reboot');
      await cli('radius', 'client', 'remove', '--name', 'vpn-acct');
    });

    it('drops accounting signed with a wrong secret and stores nothing from it; a malformed --limit is a clear error', async () => {
      await addKnownGateway('vpn-bad');
      const forged = await accounting('not-the-gateway-secret-at-all!!!', [
        'User-Name = "mallory"',
        'Acct-Session-Id = "forged"',
        'Acct-Status-Type = Start',
      ]);
      assert.equal(forged.code, null);
      assert.deepEqual(await tessera.vpnSessions.list({ userName: 'mallory' }), []);
      const limit = await cli('radius', 'sessions', '--limit', 'lots');
      assert.equal(limit.code, 1);
      assert.match(limit.stderr, /--limit must be a whole number/);
      const format = await cli('radius', 'sessions', '--format', 'xml');
      assert.match(format.stderr, /--format must be table or json/);
      await cli('radius', 'client', 'remove', '--name', 'vpn-bad');
    });

    it('shows the helpdesk why a VPN login was refused (tessera audit), and says when the audit log was tampered with', async () => {
      const secret = await addKnownGateway('vpn-help');
      const email = `help-${dialect}@example.com`;
      await tessera.accounts.createByOperator({ email, password: 'a vpn passphrase', workforce: true });
      const login = (user: string, password: string) =>
        radclient({
          port,
          secret,
          command: 'auth',
          attributes: [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'],
          timeoutSeconds: 5,
        });
      assert.equal((await login(email, 'not the passphrase')).code, 'Access-Reject');
      assert.equal((await login(email, 'a vpn passphrase')).code, 'Access-Accept');
      assert.equal((await login('nobody-here', 'a vpn passphrase')).code, 'Access-Reject');

      const table = await cli('audit', '--user', email.toUpperCase(), '--action', 'radius');
      assert.equal(table.code, 0, table.stderr);
      const [header, accepted, refused, ...rest] = table.stdout.trim().split('\n');
      assert.match(header, /^#\s+TIME \(UTC\)\s+ACTION\s+OUTCOME\s+SUBJECT\s+SOURCE\s+DETAILS$/);
      assert.match(
        accepted,
        new RegExp(`radius\\.accept\\s+success\\s+${email}\\s+127\\.0\\.0\\.1\\s+client=vpn-help`),
        'newest first, the account by its name',
      );
      assert.match(refused, /radius\.reject\s+failure\s+.*reason=identity\.invalid_credentials client=vpn-help/);
      assert.deepEqual(rest, [], "only this person's VPN logins");
      const json = JSON.parse(
        (await cli('audit', '--user', email, '--action', 'radius', '--format', 'json')).stdout,
      ) as Array<{ action: string; subject: string; details: { client: string } }>;
      const account = await tessera.accounts.findByLogin(email);
      assert.deepEqual(
        json.map((e) => [e.action, e.subject, e.details.client]),
        [
          ['radius.accept', account!.id, 'vpn-help'],
          ['radius.reject', account!.id, 'vpn-help'],
        ],
      );
      assert.match(
        (await cli('audit', '--user', 'nobody-here', '--action', 'radius')).stdout,
        /radius\.reject .*client=vpn-help/,
        'a name nobody has is found by the name',
      );
      // A name typed at a gateway reaches the helpdesk's terminal: an escape sequence in it is shown, not obeyed.
      await tessera.audit.record({
        actor: 'radius',
        action: 'radius.reject',
        subject: null,
        source: '127.0.0.1',
        outcome: 'failure',
        details: {
          client: 'vpn-help',
          user: 'evil\u001b[2J\u001b]0;pwned\u0007',
          reason: 'identity.invalid_credentials',
        },
      });
      const escaped = await cli('audit', '--action', 'radius.reject', '--limit', '1');
      assert.ok(!/[\u0000-\u0009\u000b-\u001f]/.test(escaped.stdout), 'no control character reaches the terminal');
      assert.match(escaped.stdout, /user=evil\\x1b\[2J\\x1b\]0;pwned\\x07/);
      // `radius_` is not `radius.` with a wildcard, and an action filter is a name, not a pattern.
      assert.equal((await cli('audit', '--action', 'radius_client')).stdout.trim(), 'no audit events match');
      for (const [args, problem] of [
        [['--action', 'radius%'], /--action must be an action name/],
        [['--limit', '0'], /--limit must be a whole number/],
        [['--format', 'csv'], /--format must be table or json/],
      ] as const) {
        const refusedArgs = await cli('audit', ...args);
        assert.equal(refusedArgs.code, 1);
        assert.match(refusedArgs.stderr, problem);
      }

      const intact = await cli('audit', 'verify');
      assert.equal(intact.code, 0, intact.stderr);
      assert.match(intact.stdout, /^chain \S+: \d+ events?, \d+ anchors?, ok$/m);
      assert.match(intact.stdout, /^audit log intact: \d+ events? and \d+ anchors? in \d+ chains?/m);
      // Someone with database access turns the refusal into a success: the chain no longer holds from that event on.
      const reject = await tessera.store.db
        .selectFrom('audit_events')
        .select(['chain', 'seq', 'outcome'])
        .where('action', '=', 'radius.reject')
        .where('subject', '=', account!.id)
        .executeTakeFirstOrThrow();
      await tessera.store.db
        .updateTable('audit_events')
        .set({ outcome: 'success' })
        .where('chain', '=', reject.chain)
        .where('seq', '=', reject.seq)
        .execute();
      const broken = await cli('audit', 'verify');
      assert.equal(broken.code, 1);
      const at = `chain ${reject.chain} at event ${Number(reject.seq)}`;
      assert.match(broken.stderr, new RegExp(`^audit log broken: 1 of \\d+ chains? .*; first: ${at}$`, 'm'));
      assert.match(broken.stdout, new RegExp(`BROKEN at event ${Number(reject.seq)}: the event was changed`));
      await tessera.store.db
        .updateTable('audit_events')
        .set({ outcome: reject.outcome })
        .where('chain', '=', reject.chain)
        .where('seq', '=', reject.seq)
        .execute();
      assert.equal((await cli('audit', 'verify')).code, 0, 'put back as it was, the chain holds again');
      await cli('radius', 'client', 'remove', '--name', 'vpn-help');
    });
  });
}
