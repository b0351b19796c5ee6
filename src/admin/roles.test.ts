// The role matrix: every operation of the admin service × every role × a person inside and outside a helpdesk
// agent's scope (a directory group, or an OU), on both databases, with the people in a real directory (slapd). "Allowed" means the service let the call through (it may still fail for its own
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
import { createSqlIdentityStore } from '../identity/index.ts';
import { normaliseDn } from '../directory/index.ts';
import { startTessera, type RunningTessera } from '../../test/support/tessera.ts';
import { fixtureConfig, startSlapd, type Slapd } from '../../test/support/slapd.ts';
import { testDialects } from '../../test/support/databases.ts';

/** `scoped`: helpdesk for the group Romania; `ou`: helpdesk for the OU Romania (through a group of its own). */
type Actor = 'admin' | 'helpdesk' | 'scoped' | 'ou' | 'auditor' | 'nobody' | 'disabled';
const actors: Actor[] = ['admin', 'helpdesk', 'scoped', 'ou', 'auditor', 'nobody', 'disabled'];
/**
 * `inside`: a member of the group Romania whose entry is in the OU Romania; `outside`: neither; `disguised`: in
 * ou=people, named `cn=x\,ou=Romania` — a string suffix test would put them in the OU.
 */
type Target = 'inside' | 'outside' | 'disguised';
const targets: Target[] = ['inside', 'outside', 'disguised'];
const romaniaOu = 'ou=Romania,ou=people,dc=example,dc=org';

/** What the call needs, written out here independently of permissions.ts. */
/** `people-listed`: a list any helpdesk agent may read, kept to their scope by the operation. */
type Needs = 'system' | 'audit' | 'people' | 'people-everyone' | 'people-listed' | 'audit-or-people' | 'any-role';

function expected(actor: Actor, needs: Needs, target: Target): boolean {
  switch (actor) {
    case 'admin':
      return true;
    case 'nobody':
    case 'disabled':
      return false;
    case 'helpdesk':
      return (
        needs === 'any-role' ||
        needs === 'people' ||
        needs === 'people-everyone' ||
        needs === 'people-listed' ||
        needs === 'audit-or-people'
      );
    case 'scoped':
    case 'ou':
      return (
        needs === 'any-role' ||
        needs === 'people-listed' ||
        ((needs === 'people' || needs === 'audit-or-people') && target === 'inside')
      );
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
  'people.search': [
    { needs: 'people-listed', call: (a, p) => a.people.search({ query: p.login.slice(0, 2), limit: 5 }) },
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
    let slapd: Slapd;
    let tessera: RunningTessera;
    const operators = new Map<Actor, Operator>();
    const local: Operator = { kind: 'local', actor: 'operator' };
    const superuser = () => tessera.admin(local);
    const people = new Map<Target, Person>();

    const password = 'matrix password 1';
    const person = (dn: string, uid: string, cn = uid) =>
      `dn: ${dn}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${cn}\nsn: ${uid}\n` +
      `mail: ${uid}@corp.example\nuserPassword: ${password}\n`;
    const group = (cn: string, ...uids: string[]) =>
      `dn: cn=${cn},ou=groups,dc=example,dc=org\nchangetype: add\nobjectClass: groupOfNames\ncn: ${cn}\n${uids
        .map((dn) => `member: ${dn}\n`)
        .join('')}`;
    const ou = (dn: string, name: string) =>
      `dn: ${dn}\nchangetype: add\nobjectClass: organizationalUnit\nou: ${name}\n`;
    const inPeople = (uid: string) => `uid=${uid},ou=people,dc=example,dc=org`;
    const inRomania = (uid: string) => `uid=${uid},${romaniaOu}`;
    const disguisedDn = 'cn=x\\,ou=Romania,ou=people,dc=example,dc=org';

    /** The people of the matrix in the directory: the operators, the OUs, the groups and the three targets. */
    async function fillDirectory() {
      await slapd.modify(
        [
          ou(romaniaOu, 'Romania'),
          ou('ou=Germany,ou=people,dc=example,dc=org', 'Germany'),
          ...['op-admin', 'op-helpdesk', 'op-scoped', 'op-ou', 'op-auditor', 'op-disabled'].map((u) =>
            person(inPeople(u), u),
          ),
          // Without a role, in the group and the OU the scoped agents may see: their place gives them nothing.
          person(inRomania('op-nobody'), 'op-nobody'),
          person(inRomania('ioana'), 'ioana'),
          person('uid=jonas,ou=Germany,ou=people,dc=example,dc=org', 'jonas'),
          person(disguisedDn, 'mallory', 'x,ou=Romania'),
          group('IT Support', inPeople('op-helpdesk')),
          group('Romania', inRomania('ioana'), inRomania('op-nobody')),
          group('Germany', 'uid=jonas,ou=Germany,ou=people,dc=example,dc=org'),
          group('Romania Support', inPeople('op-ou')),
        ].join('\n'),
      );
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
      slapd = await startSlapd();
      tessera = await startTessera(dialect, { directory: fixtureConfig('openldap', [slapd.url]) });
      await fillDirectory();
      const grant = (input: GrantInput) => superuser().roles.grant(input);
      // Accounts come from a first directory sign-in, as they do for people.
      const signIn = (uid: string) => tessera.workforce!.signIn(uid, password);
      const account = async (actor: Actor) => {
        const made = await signIn(`op-${actor}`);
        operators.set(actor, { kind: 'account', accountId: made.id });
        return made;
      };
      await account('admin');
      await grant({ user: 'op-admin', role: 'admin' });
      // Unscoped helpdesk through a directory group, named in another case than the directory spells it.
      await account('helpdesk');
      await grant({ group: 'it support', role: 'helpdesk' });
      await account('scoped');
      await grant({ user: 'op-scoped', role: 'helpdesk', scope: 'Romania' });
      // An OU scope granted to a directory group, the DN spelled otherwise than the directory does.
      await account('ou');
      await grant({ group: 'Romania Support', role: 'helpdesk', scope: 'OU=ROMANIA, ou=People,DC=example,dc=org' });
      await account('auditor');
      await grant({ user: 'op-auditor@corp.example', role: 'auditor' });
      await account('nobody');
      // An administrator whose account was disabled since (left the company): no role counts any more.
      const disabled = await account('disabled');
      await grant({ user: 'op-disabled', role: 'admin' });
      await createSqlIdentityStore(tessera.store.db).setStatus(disabled.id, 'disabled', Date.now());
      await superuser().addUser({ email: 'bystander@example.com', password: 'a long enough passphrase' });
      for (const uid of ['ioana', 'jonas', 'mallory']) await signIn(uid);
      people.set('inside', personAt('ioana'));
      people.set('outside', personAt('jonas'));
      people.set('disguised', personAt('mallory'));
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    it('has a case for every operation in the table of permissions', () => {
      assert.deepEqual(Object.keys(cases).sort(), Object.keys(operationRules).sort());
    });

    for (const [operation, list] of Object.entries(cases) as Array<[Operation, Case[]]>) {
      list.forEach((c, index) => {
        it(`${operation}${list.length > 1 ? ` #${index + 1}` : ''}: ${c.needs}`, async () => {
          for (const actor of actors) {
            for (const target of targets) {
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
                assert.ok(actor === 'scoped' || actor === 'ou', what);
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

    it('puts a person in an OU by their entry, RDN by RDN: a name with an escaped comma is not a place', async () => {
      const ouAgent = tessera.admin(operators.get('ou')!);
      assert.equal((await ouAgent.people.find('ioana')).account.username, 'ioana');
      const mallory = (await superuser().people.find('mallory')).account;
      // slapd writes the comma as \2c: the same DN, compared parsed.
      assert.equal(normaliseDn(mallory.directoryDn ?? ''), normaliseDn(disguisedDn), "the DN is the directory's");
      await assert.rejects(ouAgent.people.find('mallory'), { code: 'admin.account_unknown' });
      await assert.rejects(ouAgent.tokens.list('MALLORY'), { code: 'admin.account_unknown' });
      // A person moved into the OU in the directory is in scope once Tessera reads their entry again (sync).
      await slapd.modify(
        `dn: uid=jonas,ou=Germany,ou=people,dc=example,dc=org\nchangetype: modrdn\nnewrdn: uid=jonas\ndeleteoldrdn: 1\nnewsuperior: ${romaniaOu}\n`,
      );
      await assert.rejects(ouAgent.tokens.list('jonas'), { code: 'admin.account_unknown' });
      await superuser().syncDirectory();
      assert.equal((await ouAgent.tokens.list('jonas')).account.username, 'jonas');
      await slapd.modify(
        `dn: uid=jonas,${romaniaOu}\nchangetype: modrdn\nnewrdn: uid=jonas\ndeleteoldrdn: 1\nnewsuperior: ou=Germany,ou=people,dc=example,dc=org\n`,
      );
      await superuser().syncDirectory();
      await assert.rejects(ouAgent.tokens.list('jonas'), { code: 'admin.account_unknown' });
    });

    it('lists to a scoped agent only the people of their scope, page after page, both ways', async () => {
      const pageAll = async (operator: Operator, query: string, limit: number) => {
        const admin = tessera.admin(operator);
        const seen: string[] = [];
        let page = await admin.people.search({ query, limit });
        const pages = [page];
        for (;;) {
          seen.push(...page.people.map((a) => a.username ?? a.email ?? a.id));
          if (page.next === undefined) break;
          page = await admin.people.search({ query, limit, from: { ...page.next, toward: 'next' } });
          pages.push(page);
        }
        // Back from the last page to the first: the same people, in the same order.
        const back: string[] = [];
        let prev = page;
        for (;;) {
          back.unshift(...prev.people.map((a) => a.username ?? a.email ?? a.id));
          if (prev.prev === undefined) break;
          prev = await admin.people.search({ query, limit, from: { ...prev.prev, toward: 'prev' } });
        }
        assert.deepEqual(back, seen, 'Previous walks back through the same pages');
        return seen;
      };
      const everyone = await pageAll(operators.get('admin')!, '', 2);
      assert.ok(
        everyone.includes('jonas') && everyone.includes('mallory') && everyone.includes('bystander@example.com'),
      );
      assert.deepEqual(everyone, [...everyone].sort(), 'by sign-in name');
      assert.equal(new Set(everyone).size, everyone.length, 'nobody twice');
      for (const actor of ['scoped', 'ou'] as const) {
        for (const limit of [1, 2, 50]) {
          const seen = await pageAll(operators.get(actor)!, '', limit);
          assert.ok(seen.includes('ioana'), `${actor} ${limit}`);
          assert.ok(!seen.includes('jonas') && !seen.includes('mallory') && !seen.includes('op-admin'), `${actor}`);
        }
      }
      // A position made up to land among the people out of scope: the page still shows none of them.
      const scoped = tessera.admin(operators.get('ou')!);
      for (const key of ['jonas', 'mallory', 'a', '\u{10FFFF}']) {
        for (const toward of ['next', 'prev'] as const) {
          const page = await scoped.people.search({ query: '', limit: 5, from: { key, id: '', toward } });
          assert.ok(
            page.people.every((a) => a.username === 'ioana' || a.username === 'op-nobody'),
            key,
          );
        }
      }
      // A position outside the prefix searched is no page of that list.
      for (const key of ['a', 'jonas', '\u{10FFFF}']) {
        await assert.rejects(scoped.people.search({ query: 'io', limit: 5, from: { key, id: '', toward: 'next' } }), {
          code: 'admin.invalid_page',
        });
      }
      assert.ok(
        (await scoped.people.search({ query: 'io', limit: 5, from: { key: 'io', id: '', toward: 'next' } })).people,
      );
      // An exact name is the person, for whoever may see them; for an agent who may not, an empty list.
      assert.equal((await scoped.people.search({ query: 'CORP\\ioana', limit: 5 })).exact?.username, 'ioana');
      const jonas = await scoped.people.search({ query: 'jonas', limit: 5 });
      assert.deepEqual([jonas.exact, jonas.people], [undefined, []]);
      await assert.rejects(scoped.people.search({ query: '', limit: 0 }), { code: 'admin.invalid_limit' });
      await assert.rejects(scoped.people.search({ query: '', limit: 201 }), { code: 'admin.invalid_limit' });
    });

    it('reads a DN from the directory for an account stored before Tessera kept them', async () => {
      const ioana = (await superuser().people.find('ioana')).account;
      await tessera.store.db.updateTable('accounts').set({ directory_dn: null }).where('id', '=', ioana.id).execute();
      const ouAgent = tessera.admin(operators.get('ou')!);
      assert.equal((await ouAgent.tokens.list('ioana')).account.id, ioana.id);
      assert.ok((await superuser().people.find('ioana')).account.directoryDn, 'and stored it');
    });

    it('grants, lists and revokes roles; a revoked role stops at the next call', async () => {
      const admin = superuser();
      const again = await admin.roles.grant({ user: 'op-scoped', role: 'helpdesk', scope: 'romania' });
      assert.equal(again.added, false, 'a scope compares without case');
      const sameOu = await admin.roles.grant({
        group: 'romania support',
        role: 'helpdesk',
        scope: 'ou=Rom\\61nia,OU=people,dc=EXAMPLE,dc=org',
      });
      assert.equal(sameOu.added, false, 'an OU compares by its parsed DN');
      // A group and an OU spelled alike are two scopes.
      const ouNamedLikeGroup = await admin.roles.grant({ user: 'op-scoped', role: 'helpdesk', scope: 'cn=Romania' });
      assert.equal(ouNamedLikeGroup.added, true);
      await admin.roles.revoke({ user: 'op-scoped', role: 'helpdesk', scope: 'CN=romania' });
      const listed = (await admin.roles.list()).find((g) => g.granteeName === 'Romania Support');
      assert.deepEqual(listed?.scope, { kind: 'ou', dn: 'OU=ROMANIA, ou=People,DC=example,dc=org' });
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
      for (const notADn of ['ou=Romania,', 'ou=a\\zz,dc=org', '=Romania', 'ou=<x>', ' = ']) {
        await assert.rejects(
          admin.roles.grant({ user: 'ioana', role: 'helpdesk', scope: notADn }),
          refusal('admin.invalid_ou', 'scope'),
          notADn,
        );
      }
      await assert.rejects(
        admin.roles.grant({ user: 'ioana', role: 'auditor', scope: romaniaOu }),
        refusal('admin.scope_not_for_role', 'scope'),
      );
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
