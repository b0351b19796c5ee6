// The admin service as the CLI and, later, the web console call it: typed inputs, data back, typed errors that name
// the field, and one audit row by the acting operator for each change.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createAdmin, createSqlRoleStore, AdminError, type AdminService } from './index.ts';
import { systemClock } from '../clock/index.ts';
import { base32Encode } from '../otp/index.ts';
import { oathtool } from '../../test/support/otp.ts';
import { startTessera, type RunningTessera } from '../../test/support/tessera.ts';

describe('the admin service', () => {
  let tessera: RunningTessera;
  let admin: AdminService;
  const configuredSecret = randomBytes(24).toString('base64url');
  before(async () => {
    const clients = [{ name: 'cfg', address: '192.0.2.1', secret: configuredSecret }];
    tessera = await startTessera('sqlite', { radius: { port: 0, clients } });
    admin = createAdmin(
      {
        ...tessera,
        configuredRadiusClients: tessera.config.radius?.clients ?? [],
        clock: systemClock,
        sendCampaign: (input) => tessera.sendCampaign(input),
        rotateSigningKeys: async () => [],
        testRadiusClient: async () => 'off',
        roles: createSqlRoleStore(tessera.store.db),
      },
      { kind: 'local', actor: 'helpdesk:anna' },
    );
  });
  after(() => tessera.stop());
  const lastRow = async (action: string) => (await tessera.audit.list({ action, limit: 1 }))[0];
  const refusal = (code: string, field?: string, subject?: string) => (err: unknown) =>
    err instanceof AdminError && err.code === code && err.field === field && err.subject === subject;

  it('sets a policy, audited by the acting operator, and refuses group names given twice without case', async () => {
    const policy = await admin.setPolicy({
      appId: 'portal',
      otp: 'required',
      goLiveAt: null,
      graceDays: 14,
      groups: [{ name: 'Contractors', mode: 'off' }],
    });
    assert.deepEqual(policy.groupOverrides, { Contractors: 'off' });
    assert.equal(policy.graceSeconds, 14 * 86400);
    const row = await lastRow('policy.set');
    assert.deepEqual([row.actor, row.subject], ['helpdesk:anna', 'portal']);
    const twice = [
      { name: 'VPN Users', mode: 'off' },
      { name: 'vpn users', mode: 'required' },
    ];
    const portal = { appId: 'portal', otp: 'optional', goLiveAt: null, graceDays: 0, groups: [] };
    await assert.rejects(
      admin.setPolicy({ ...portal, groups: twice }),
      refusal('admin.group_twice', 'group', 'VPN Users'),
    );
    await assert.rejects(admin.setPolicy({ ...portal, otp: 'sometimes' }), refusal('admin.invalid_otp_mode', 'otp'));
    await assert.rejects(
      admin.setPolicy({ ...portal, graceDays: 366 }),
      refusal('admin.invalid_grace_days', 'grace-days'),
    );
    const consolePolicy = { ...portal, appId: 'tessera-console', otp: 'required' };
    await assert.rejects(
      admin.setPolicy({ ...consolePolicy, otp: 'optional' }),
      refusal('admin.console_needs_code', 'otp'),
    );
    await assert.rejects(
      admin.setPolicy({ ...consolePolicy, groups: [{ name: 'Helpdesk', mode: 'off' }] }),
      refusal('admin.console_needs_code', 'otp'),
    );
    assert.equal((await admin.listPolicies())[0].otp, 'required', 'a refused policy changes nothing');
  });

  it('names the person or serial it cannot find, and records nothing for it', async () => {
    const nobody = 'nobody@example.com';
    await assert.rejects(admin.tokens.list(nobody), refusal('admin.account_unknown', 'user', nobody));
    await assert.rejects(admin.tokens.unlock('NOSUCH1'), refusal('admin.token_not_in_use', 'serial', 'NOSUCH1'));
    await assert.rejects(admin.tokens.unbind('NOSUCH1'), refusal('admin.token_not_bound', 'serial', 'NOSUCH1'));
    assert.equal(await lastRow('helpdesk'), undefined);
    const { account, tokens } = await admin.tokens.list(
      (
        await admin.addUser({
          email: 'staff@example.com',
          password: 'a staff passphrase here',
          workforce: true,
        })
      ).email!,
    );
    assert.deepEqual([account.kind, tokens], ['workforce', []]);
  });

  it('imports a seed file only when all of it is good, and assigns a token as one audited change', async () => {
    const seed = randomBytes(20).toString('hex');
    const bad = await admin.tokens.importSeedFile(`HWA1,${seed}\nHWA2,abc`, 'hex');
    assert.deepEqual(bad.problems, ['line 2: expected serial,secret in hex[,6|8[,30|60|hotp]]']);
    assert.equal(bad.imported, 0);
    const good = await admin.tokens.importSeedFile(`HWA1,${seed}`, 'hex');
    assert.deepEqual(good, { imported: 1, alreadyThere: [], problems: [] }, 'nothing was stored the first time');
    const { token } = await admin.tokens.assign('staff@example.com', 'HWA1');
    assert.equal(token.state, 'active');
    await admin.tokens.unlock('HWA1', '  caller checked by their manager\n');
    assert.deepEqual((await lastRow('helpdesk.otp_unlock')).details, {
      serial: 'HWA1',
      reason: 'caller checked by their manager',
      steps: (await lastRow('helpdesk.otp_unlock')).details.steps,
    });
    const row = await lastRow('helpdesk.otp_assign');
    assert.deepEqual([row.actor, row.details.serial], ['helpdesk:anna', 'HWA1']);
    const assign = (serial: string) => admin.tokens.assign('staff@example.com', serial);
    await assert.rejects(assign('HWA1'), refusal('admin.serial_taken', 'serial', 'HWA1'));
    await assert.rejects(assign('HWNONE'), refusal('admin.serial_unknown', 'serial', 'HWNONE'));
  });

  it('adds and removes VPN gateways with audit rows, and lists the configured ones without their secret', async () => {
    const { client, secret, generated } = await admin.radiusClients.add({ name: 'gw', address: '10.0.0.1' });
    assert.equal(generated, true);
    assert.match(secret, /^[A-Za-z0-9]{43}$/);
    const listed = await admin.radiusClients.list();
    assert.deepEqual(
      listed.map((c) => `${c.name}:${c.source}`),
      ['cfg:configuration', 'gw:database'],
    );
    assert.ok(!JSON.stringify(listed).includes(configuredSecret), 'never a secret');
    await admin.radiusClients.remove(client.name);
    const rows = await tessera.audit.list({ action: 'radius.client', limit: 2 });
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.subject]),
      [
        ['radius.client.remove', 'helpdesk:anna', 'gw'],
        ['radius.client.add', 'helpdesk:anna', 'gw'],
      ],
    );
  });

  it('registers and removes an app with audit rows that never hold its secret', async () => {
    const app = await admin.clients.add({
      client_id: 'helpdesk-app',
      client_name: 'Helpdesk app',
      redirect_uris: ['https://app.example.test/cb'],
    });
    assert.equal(typeof app.client_secret, 'string');
    await admin.clients.remove('helpdesk-app');
    const rows = await tessera.audit.list({ action: 'client', limit: 2 });
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor, r.subject]),
      [
        ['client.remove', 'helpdesk:anna', 'helpdesk-app'],
        ['client.add', 'helpdesk:anna', 'helpdesk-app'],
      ],
    );
    assert.ok(!JSON.stringify(rows).includes(String(app.client_secret)), 'never the secret');
    await assert.rejects(admin.clients.remove('helpdesk-app'), { code: 'client.not_found' });
    assert.equal((await tessera.audit.list({ action: 'client', limit: 3 })).length, 2, 'a refusal changes nothing');
  });

  it('reads the audit log with the accounts named, and refuses a limit or action filter it cannot take', async () => {
    const { events, names } = await admin.audit.list({ user: 'staff@example.com', limit: 10 });
    assert.ok(events.length > 0);
    assert.equal(names.get(events[0].subject!), 'staff@example.com');
    for (const limit of [0, 10_001, 1.5, Number.NaN]) {
      await assert.rejects(admin.audit.list({ limit }), refusal('admin.invalid_limit', 'limit'), String(limit));
    }
    await assert.rejects(admin.audit.list({ action: 'radius%', limit: 5 }), refusal('admin.invalid_action', 'action'));
    await assert.rejects(admin.vpnSessions.list({ limit: 0 }), refusal('admin.invalid_limit', 'limit'));
    assert.deepEqual(await admin.audit.verify(), await tessera.audit.verify());
    await assert.rejects(admin.syncDirectory(), refusal('admin.no_directory'));
  });

  it('pages the audit log back newest first across chains: no event twice, none left out', async () => {
    const all = (await admin.audit.list({ limit: 10_000 })).events.map((e) => e.id);
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const { events } = await admin.audit.list({ limit: 3, before });
      seen.push(...events.map((e) => e.id));
      if (events.length < 3) break;
      before = events.at(-1)!.id;
    }
    assert.deepEqual(seen, all);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(admin.audit.list({ limit: 5, before: bad }), refusal('admin.invalid_page', 'before'));
    }
  });

  it('resyncs a drifting token from two consecutive codes, one row by the operator with the reason', async () => {
    const key = randomBytes(20);
    const serial = 'DRIFT-1';
    await admin.tokens.importSeedFile(`${serial},${key.toString('hex')}`, 'hex');
    const person = await admin.addUser({ email: 'drift@example.com', password: 'a long enough passphrase' });
    await admin.tokens.assign('drift@example.com', serial);
    // The token's clock runs ten steps (5 minutes) ahead: a code it shows now is outside the usual window.
    const shown = (steps: number) => oathtool(base32Encode(key), Date.now() + steps * 30_000);
    await admin.tokens.resync(serial, shown(10), shown(11), 'Caller read two codes out');
    const row = await lastRow('helpdesk.otp_resync');
    assert.deepEqual(
      [row.actor, row.subject, row.outcome, row.details.serial, row.details.reason],
      ['helpdesk:anna', person.id, 'success', serial, 'Caller read two codes out'],
    );
    assert.deepEqual(
      (row.details.steps as Array<{ action: string }>).map((s) => s.action),
      ['otp.resync'],
      'the check is a step of the one row',
    );
    await assert.rejects(
      admin.tokens.resync('NO-SUCH', '123456', '234567'),
      refusal('admin.token_not_in_use', 'serial', 'NO-SUCH'),
    );
    // Codes that do not follow each other: refused, recorded as a failure by the operator.
    await assert.rejects(admin.tokens.resync(serial, shown(20), shown(25), 'again'), { code: 'otp.resync_failed' });
    const failed = await lastRow('helpdesk.otp_resync');
    assert.deepEqual([failed.actor, failed.outcome], ['helpdesk:anna', 'resync_failed']);
  });

  it("lists and ends a person's signed-in sessions, one row by the operator with the reason", async () => {
    assert.deepEqual(await admin.sessions.list('drift@example.com'), []);
    assert.deepEqual(await admin.sessions.endAll('DRIFT@example.com', 'Phone stolen'), { ended: 0 });
    const row = await lastRow('helpdesk.sessions_end');
    assert.deepEqual([row.actor, row.details.reason, row.details.ended], ['helpdesk:anna', 'Phone stolen', 0]);
    await assert.rejects(
      admin.sessions.endAll('nobody@example.com'),
      refusal('admin.account_unknown', 'user', 'nobody@example.com'),
    );
  });
});
