// The role matrix: every operation of the admin service × every role × a person inside and outside a helpdesk
// agent's group, on both databases. "Allowed" means the service let the call through (it may still fail for its own
// reasons, a missing app, say); "refused" means it wrote an `admin.denied` row and threw — for a person out of scope
// the same error a person who does not exist gives, so the agent learns nothing about them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AdminError,
  operationRules,
  type AdminService,
  type Operation,
  type Operator,
  type GrantInput,
} from './index.ts';
import { createSqlIdentityStore, type Account } from '../identity/index.ts';
import { startTessera, type RunningTessera } from '../../test/support/tessera.ts';
import { testDialects } from '../../test/support/databases.ts';

type Actor = 'admin' | 'helpdesk' | 'scoped' | 'auditor' | 'nobody' | 'disabled';
const actors: Actor[] = ['admin', 'helpdesk', 'scoped', 'auditor', 'nobody', 'disabled'];
type Target = 'inside' | 'outside';

/** What the call needs, written out here independently of permissions.ts. */
type Needs = 'system' | 'audit' | 'people' | 'people-everyone' | 'audit-or-people' | 'any-role';

function expected(actor: Actor, needs: Needs, target: Target): boolean {
  switch (actor) {
    case 'admin':
      return true;
    case 'nobody':
    case 'disabled':
      return false;
    case 'helpdesk':
      return needs === 'any-role' || needs === 'people' || needs === 'people-everyone' || needs === 'audit-or-people';
    case 'scoped':
      return needs === 'any-role' || ((needs === 'people' || needs === 'audit-or-people') && target === 'inside');
    case 'auditor':
      return needs === 'any-role' || needs === 'audit' || needs === 'audit-or-people';
    default:
      return false;
  }
}

interface Person {
  login: string;
  /** A fresh hardware token of the person's, so that no call depends on what an earlier one changed. */
  token(): Promise<string>;
}
interface Case {
  needs: Needs;
  call(admin: AdminService, person: Person, spare: () => Promise<string>): Promise<unknown>;
}

let n = 0;
const unique = (prefix: string) => `${prefix}${++n}`;

// One case or more per operation; the test fails when an operation of the table has none.
const cases: Record<Operation, Case[]> = {
  'people.find': [
    { needs: 'people', call: (a, p) => a.people.find(p.login) },
    { needs: 'people', call: async (a, p) => a.people.find(await p.token()) },
  ],
  'tokens.list': [{ needs: 'people', call: (a, p) => a.tokens.list(p.login) }],
  'tokens.unlock': [{ needs: 'people', call: async (a, p) => a.tokens.unlock(await p.token()) }],
  'tokens.unbind': [{ needs: 'people', call: async (a, p) => a.tokens.unbind(await p.token()) }],
  'tokens.assign': [{ needs: 'people', call: async (a, p, spare) => a.tokens.assign(p.login, await spare()) }],
  'tokens.resync': [
    // Two codes that do not follow each other: the call is let through and fails for its own reason.
    { needs: 'people', call: async (a, p) => a.tokens.resync(await p.token(), '000000', '000000', 'drift') },
  ],
  'sessions.list': [{ needs: 'people', call: (a, p) => a.sessions.list(p.login) }],
  'sessions.endAll': [{ needs: 'people', call: (a, p) => a.sessions.endAll(p.login, 'phone stolen') }],
  'registrationCodes.issue': [{ needs: 'people', call: (a, p) => a.registrationCodes.issue(p.login) }],
  'tokens.importSeedFile': [
    { needs: 'system', call: (a) => a.tokens.importSeedFile(`${unique('IMP')},${'ab'.repeat(20)}`, 'hex') },
  ],
  'tokens.importPskcFile': [{ needs: 'system', call: (a) => a.tokens.importPskcFile('<KeyContainer/>', {}) }],
  'clients.add': [
    {
      needs: 'system',
      call: (a) =>
        a.clients.add({ client_id: unique('app'), client_name: 'App', redirect_uris: ['https://app.example.test/cb'] }),
    },
  ],
  'clients.list': [{ needs: 'system', call: (a) => a.clients.list() }],
  'clients.remove': [{ needs: 'system', call: (a) => a.clients.remove('no-such-app') }],
  'radiusClients.add': [
    { needs: 'system', call: (a) => a.radiusClients.add({ name: unique('gw'), address: '10.9.0.1' }) },
  ],
  'radiusClients.list': [{ needs: 'system', call: (a) => a.radiusClients.list() }],
  'radiusClients.remove': [{ needs: 'system', call: (a) => a.radiusClients.remove('no-such-gateway') }],
  'radiusClients.test': [
    { needs: 'system', call: (a) => a.radiusClients.test('no-such-gateway', { user: 'ioana', password: 'x' }) },
  ],
  'audit.list': [
    { needs: 'audit', call: (a) => a.audit.list({ limit: 5 }) },
    { needs: 'audit-or-people', call: (a, p) => a.audit.list({ user: p.login, limit: 5 }) },
    { needs: 'audit', call: (a) => a.audit.list({ before: 3, limit: 5 }) },
  ],
  'audit.verify': [{ needs: 'audit', call: (a) => a.audit.verify() }],
  'vpnSessions.list': [
    { needs: 'people-everyone', call: (a) => a.vpnSessions.list({ limit: 5 }) },
    { needs: 'people', call: (a, p) => a.vpnSessions.list({ user: p.login, limit: 5 }) },
  ],
  'roles.grant': [{ needs: 'system', call: (a) => a.roles.grant(bystanderGrant) }],
  'roles.revoke': [{ needs: 'system', call: (a) => a.roles.revoke({ ...bystanderGrant, role: 'helpdesk' }) }],
  'roles.list': [{ needs: 'system', call: (a) => a.roles.list() }],
  'roles.mine': [{ needs: 'any-role', call: (a) => a.roles.mine() }],
  addUser: [
    {
      needs: 'system',
      call: (a) => a.addUser({ email: `${unique('made')}@example.com`, password: 'a long enough passphrase' }),
    },
  ],
  setPolicy: [
    {
      needs: 'system',
      call: (a) => a.setPolicy({ appId: 'portal', otp: 'optional', goLiveAt: null, graceDays: 0, groups: [] }),
    },
  ],
  listPolicies: [{ needs: 'system', call: (a) => a.listPolicies() }],
  rotateSigningKeys: [{ needs: 'system', call: (a) => a.rotateSigningKeys() }],
  'saml.add': [{ needs: 'system', call: (a) => a.saml.add({ metadata: '<not-metadata/>' }) }],
  'saml.list': [{ needs: 'system', call: (a) => a.saml.list() }],
  'saml.remove': [{ needs: 'system', call: (a) => a.saml.remove('https://no-such-app.example/') }],
  'saml.rotateKeys': [{ needs: 'system', call: (a) => a.saml.rotateKeys() }],
  syncDirectory: [{ needs: 'system', call: (a) => a.syncDirectory() }],
  checkDirectory: [{ needs: 'system', call: (a) => a.checkDirectory('ioana') }],
  sendCampaign: [{ needs: 'system', call: (a) => a.sendCampaign({ subject: 'News', html: '<p>News</p>' }) }],
};
const bystanderGrant: GrantInput = { user: 'bystander@example.com', role: 'auditor' };

for (const dialect of await testDialects()) {
  describe(`roles in the admin service (${dialect})`, () => {
    let tessera: RunningTessera;
    const operators = new Map<Actor, Operator>();
    const local: Operator = { kind: 'local', actor: 'operator' };
    const superuser = () => tessera.admin(local);
    const people = new Map<Target, Person>();

    async function staff(username: string, groups: string[]) {
      const store = createSqlIdentityStore(tessera.store.db);
      const account: Account = {
        id: randomUUID(),
        kind: 'workforce',
        email: `${username}@corp.example`,
        emailVerified: true,
        directoryId: randomUUID(),
        username,
        groups,
        passwordHash: null,
        name: username,
        status: 'active',
        createdAt: Date.now(),
      };
      return store.upsertWorkforceAccount(account, Date.now());
    }
    async function spare(): Promise<string> {
      const serial = unique('HW');
      const { imported } = await superuser().tokens.importSeedFile(
        `${serial},${randomBytes(20).toString('hex')}`,
        'hex',
      );
      assert.equal(imported, 1);
      return serial;
    }
    const personAt = (login: string): Person => ({
      login,
      async token() {
        const serial = await spare();
        await superuser().tokens.assign(login, serial);
        return serial;
      },
    });
    const lastDenied = async () => (await tessera.audit.list({ action: 'admin.denied', limit: 1 }))[0];

    before(async () => {
      tessera = await startTessera(dialect);
      const grant = (input: GrantInput) => superuser().roles.grant(input);
      const account = async (actor: Actor, groups: string[]) => {
        const made = await staff(`op-${actor}`, groups);
        operators.set(actor, { kind: 'account', accountId: made.id });
        return made;
      };
      await account('admin', []);
      await grant({ user: 'op-admin', role: 'admin' });
      // Unscoped helpdesk through a directory group, named in another case than the directory spells it.
      await account('helpdesk', ['IT Support']);
      await grant({ group: 'it support', role: 'helpdesk' });
      await account('scoped', ['Staff']);
      await grant({ user: 'op-scoped', role: 'helpdesk', scope: 'Romania' });
      await account('auditor', []);
      await grant({ user: 'op-auditor@corp.example', role: 'auditor' });
      await account('nobody', ['Staff', 'Romania']);
      // An administrator whose account was disabled since (left the company): no role counts any more.
      const disabled = await account('disabled', []);
      await grant({ user: 'op-disabled', role: 'admin' });
      await createSqlIdentityStore(tessera.store.db).setStatus(disabled.id, 'disabled', Date.now());
      await superuser().addUser({ email: 'bystander@example.com', password: 'a long enough passphrase' });
      await staff('ioana', ['Staff', 'ROMANIA']);
      await staff('jonas', ['Staff', 'Germany']);
      people.set('inside', personAt('ioana'));
      people.set('outside', personAt('jonas'));
    });
    after(() => tessera.stop());

    it('has a case for every operation in the table of permissions', () => {
      assert.deepEqual(Object.keys(cases).sort(), Object.keys(operationRules).sort());
    });

    for (const [operation, list] of Object.entries(cases) as Array<[Operation, Case[]]>) {
      list.forEach((c, index) => {
        it(`${operation}${list.length > 1 ? ` #${index + 1}` : ''}: ${c.needs}`, async () => {
          for (const actor of actors) {
            for (const target of ['inside', 'outside'] as const) {
              const admin = tessera.admin(operators.get(actor)!);
              const before = (await lastDenied())?.id ?? 0;
              let thrown: unknown;
              try {
                await c.call(admin, people.get(target)!, spare);
              } catch (err) {
                thrown = err;
              }
              const denied = await lastDenied();
              const refused = denied !== undefined && denied.id > before;
              const what = `${actor} on ${target}: ${String(thrown)}`;
              assert.equal(!refused, expected(actor, c.needs, target), what);
              if (!refused) continue;
              assert.ok(thrown instanceof AdminError, what);
              assert.deepEqual([denied.actor, denied.details.operation], [actorOf(operators.get(actor)!), operation]);
              if (thrown.code !== 'admin.forbidden') {
                // Out of scope: the answer a person or serial nobody has would give.
                assert.equal(actor, 'scoped', what);
                assert.match(thrown.code, /^admin\.(account_unknown|token_not_in_use|token_not_bound)$/, what);
              }
            }
          }
        });
      });
    }

    it('answers a helpdesk agent about a person outside their group exactly as about nobody', async () => {
      const scoped = tessera.admin(operators.get('scoped')!);
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => 'allowed',
          (e: AdminError) => [e.code, e.field, e.subject?.replace(/jonas|nobody/, 'X')],
        );
      assert.deepEqual(await outcome(scoped.tokens.list('jonas')), await outcome(scoped.tokens.list('nobody')));
      const jonasToken = await people.get('outside')!.token();
      assert.deepEqual(
        (await outcome(scoped.tokens.unbind(jonasToken)))[0],
        (await outcome(scoped.tokens.unbind('NOSUCHSERIAL')))[0],
      );
      assert.equal(
        (await superuser().tokens.list('jonas')).tokens.find((t) => t.serial === jonasToken)?.state,
        'active',
      );
      const row = await tessera.audit.list({ action: 'admin.denied', limit: 3 });
      const jonas = (await superuser().tokens.list('jonas')).account.id;
      assert.ok(
        row.some((r) => r.subject === jonas),
        'the refusal is recorded about the person, for the auditor',
      );
    });

    it('grants, lists and revokes roles; a revoked role stops at the next call', async () => {
      const admin = superuser();
      const again = await admin.roles.grant({ user: 'op-scoped', role: 'helpdesk', scope: 'romania' });
      assert.equal(again.added, false, 'a scope compares without case');
      await admin.roles.grant({ user: 'bystander@example.com', role: 'helpdesk' });
      const bystander = (await admin.roles.list()).filter(
        (g) => g.granteeName === 'bystander@example.com' && g.role === 'helpdesk',
      );
      assert.deepEqual(
        bystander.map((g) => [g.role, g.scope, g.grantedBy]),
        [['helpdesk', null, 'operator']],
      );
      const byBystander: Operator = {
        kind: 'account',
        accountId: bystander[0].grantee.kind === 'user' ? bystander[0].grantee.accountId : '',
      };
      await tessera.admin(byBystander).tokens.list('ioana');
      await admin.roles.revoke({ user: 'BYSTANDER@example.com', role: 'helpdesk' });
      await assert.rejects(tessera.admin(byBystander).tokens.list('ioana'), { code: 'admin.forbidden' });
      const rows = await tessera.audit.list({ action: 'admin.role', limit: 2 });
      assert.deepEqual(
        rows.map((r) => [r.action, r.actor, r.details.role]),
        [
          ['admin.role.revoke', 'operator', 'helpdesk'],
          ['admin.role.grant', 'operator', 'helpdesk'],
        ],
      );
    });

    it('refuses a grant it cannot make, naming the field, and records nothing for it', async () => {
      const admin = superuser();
      const before = (await tessera.audit.list({ limit: 1 }))[0].id;
      const refusal = (code: string, field: string) => (err: unknown) =>
        err instanceof AdminError && err.code === code && err.field === field;
      await assert.rejects(admin.roles.grant({ user: 'ioana', role: 'root' }), refusal('admin.invalid_role', 'role'));
      await assert.rejects(
        admin.roles.grant({ user: 'ioana', role: 'auditor', scope: 'Romania' }),
        refusal('admin.scope_not_for_role', 'scope'),
      );
      await assert.rejects(admin.roles.grant({ role: 'admin' }), refusal('admin.grantee_needed', 'user'));
      await assert.rejects(
        admin.roles.grant({ user: 'ioana', group: 'Staff', role: 'admin' }),
        refusal('admin.grantee_needed', 'user'),
      );
      await assert.rejects(
        admin.roles.grant({ user: 'nobody@example.com', role: 'admin' }),
        refusal('admin.account_unknown', 'user'),
      );
      await assert.rejects(
        admin.roles.grant({ group: 'Staff)(cn=*', role: 'admin' }),
        refusal('admin.invalid_group', 'group'),
      );
      await assert.rejects(
        admin.roles.revoke({ user: 'ioana', role: 'admin' }),
        refusal('admin.grant_unknown', 'role'),
      );
      assert.equal((await tessera.audit.list({ limit: 1 }))[0].id, before);
    });
  });
}

const actorOf = (o: Operator) => (o.kind === 'local' ? o.actor : o.accountId);
