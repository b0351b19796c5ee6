// /api/otp/desktop/*, the registration flow as JSON for the PC app, under bad and hostile input against a real slapd:
// malformed and oversized bodies, no or a forged flow id, steps out of order, a serial hash that is not one, a wrong
// first code, a replayed confirmation, parallel registrations in one flow, and a known and an unknown name answered
// alike. Tessera keeps only the secret bound to the serial hash: the seed's own codes are refused, and the seed
// appears in no log line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { base32Decode, bindToDevice, totp } from '../../src/otp/index.ts';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { startSlapd, fixtureConfig, type Slapd } from '../support/slapd.ts';

const alice = { name: 'alice', password: 'correct horse battery', employeeId: 'E1001' };
const bob = { name: 'bob', password: 'bob password 1', employeeId: 'E1003' };
const params = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 } as const;
/** The fields the API's answers carry (each answer some of them). */
interface Answer {
  flow: string;
  step: string;
  code: string;
  serial: string;
  secret: string;
  algorithm: string;
  digits: number;
  periodSeconds: number;
  replaced: string[];
}
const hashOf = (serial: string) => createHmac('sha256', 'salt').update(serial).digest('hex');

for (const dialect of await testDialects()) {
  describe(`the PC app's registration API on ${dialect}`, () => {
    let slapd: Slapd;
    let tessera: RunningTessera;
    const logLines: string[] = [];
    before(async () => {
      slapd = await startSlapd();
      tessera = await startTessera(dialect, { directory: fixtureConfig('openldap', [slapd.url]) }, { logLines });
    });
    after(async () => {
      await tessera?.stop();
      await slapd?.close();
    });

    const call = async (path: string, body: unknown, flow?: string, raw?: string) => {
      const response = await fetch(`${tessera.url}/api/otp/desktop/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(flow ? { authorization: `Registration ${flow}` } : {}) },
        body: raw ?? JSON.stringify(body),
      });
      return {
        status: response.status,
        headers: response.headers,
        json: (await response.json()) as Answer,
      };
    };
    /** A flow at its `enrol` step for `who`, by helpdesk code. */
    async function atEnrol(who: typeof alice): Promise<string> {
      const start = await call('register/start', { name: who.name, password: who.password });
      assert.equal(start.status, 201, JSON.stringify(start.json));
      const flow = start.json.flow as string;
      const employee = await call('register/employee-id', { employeeId: who.employeeId }, flow);
      assert.equal(employee.status, 200, JSON.stringify(employee.json));
      const { code } = await tessera.admin({ kind: 'local', actor: 'operator' }).registrationCodes.issue(who.name);
      const passed = await call('register/code', { code }, flow);
      assert.deepEqual([passed.status, passed.json], [200, { step: 'enrol' }]);
      return flow;
    }

    it('gives the seed once, keeps only the bound secret, and makes the token the one software token', async () => {
      const flow = await atEnrol(alice);
      const given = await call('register', { serialHash: hashOf('PF2ABCDE') }, flow);
      assert.equal(given.status, 200, JSON.stringify(given.json));
      assert.equal(given.headers.get('cache-control'), 'no-store');
      assert.match(given.json.serial, /^TOTD[0-9A-F]{10}$/);
      assert.deepEqual([given.json.algorithm, given.json.digits, given.json.periodSeconds], ['SHA1', 6, 30]);
      const seed = base32Decode(given.json.secret);
      const bound = bindToDevice(seed, hashOf('PF2ABCDE'));
      // The seed's own code (a phone app given the seed) is not the token's code.
      const wrong = await call('register/confirm', { code: totp(seed, Date.now(), params) }, flow);
      assert.deepEqual([wrong.status, wrong.json.code], [400, 'otp.wrong_code']);
      const done = await call('register/confirm', { code: totp(bound, Date.now() - 30_000, params) }, flow);
      assert.equal(done.status, 200, JSON.stringify(done.json));
      assert.deepEqual(done.json, { serial: given.json.serial, replaced: [] });
      // The flow is over: a replayed confirmation or a second seed is refused.
      assert.equal((await call('register/confirm', { code: totp(bound, Date.now(), params) }, flow)).status, 410);
      assert.equal((await call('register', { serialHash: hashOf('PF2ABCDE') }, flow)).status, 410);
      const account = (await tessera.accounts.findByLogin('alice'))!;
      const accepted = await tessera.otp.validate(account.id, totp(bound, Date.now(), params));
      assert.equal(accepted.serial, given.json.serial);
      // The seed is in no log line, the serial hash neither.
      const logs = logLines.join('\n');
      assert.ok(!logs.includes(given.json.secret) && !logs.includes(hashOf('PF2ABCDE')));

      // A second registration (a new PC) replaces it: the earlier token's codes stop working.
      const again = await atEnrol(alice);
      const second = await call('register', { serialHash: hashOf('R90XYZ12') }, again);
      const bound2 = bindToDevice(base32Decode(second.json.secret), hashOf('R90XYZ12'));
      const replaced = await call('register/confirm', { code: totp(bound2, Date.now() - 30_000, params) }, again);
      assert.deepEqual(replaced.json.replaced, [given.json.serial]);
      await assert.rejects(tessera.otp.validate(account.id, totp(bound, Date.now() + 30_000, params)), {
        code: 'otp.wrong_code',
      });
    });

    it('refuses malformed bodies, a bad serial hash, and steps without or out of their flow (other fields dropped)', async () => {
      assert.equal((await call('register/start', undefined, undefined, '{"name":')).status, 400);
      assert.equal((await call('register/start', { name: 'alice' })).status, 400);
      // A field beyond the listed ones is dropped by the schema, never read or stored.
      const extra = await call('register/start', { name: 'bob', password: bob.password, serial: 'PF2ABCDE' });
      assert.equal(extra.status, 201);
      assert.equal((await call('register/start', { name: 'a'.repeat(400), password: 'x' })).status, 400);
      for (const path of ['register/employee-id', 'register/code', 'register', 'register/confirm']) {
        const key = path.endsWith('employee-id') ? 'employeeId' : path === 'register' ? 'serialHash' : 'code';
        const body = { employeeId: 'E1001', code: '123456', serialHash: hashOf('x') }[key];
        for (const flow of [undefined, 'A'.repeat(32), `${'A'.repeat(31)}'`]) {
          const r = await call(path, { [key]: body }, flow);
          assert.deepEqual([r.status, r.json.code], [410, 'registration.flow_expired'], `${path} ${flow}`);
        }
      }
      // A real flow, at its employee ID step: later steps are refused.
      const flow = (await call('register/start', { name: bob.name, password: bob.password })).json.flow;
      assert.equal((await call('register', { serialHash: hashOf('x') }, flow)).status, 410);
      assert.equal((await call('register/code', { code: '123456' }, flow)).status, 410);
      assert.equal((await call('register/employee-id', { employeeId: 'E1003' }, flow)).status, 200);
      const { code } = await tessera.admin({ kind: 'local', actor: 'operator' }).registrationCodes.issue('bob');
      assert.equal((await call('register/code', { code }, flow)).status, 200);
      for (const serialHash of ['PF2ABCDE', hashOf('x').toUpperCase(), `${hashOf('x')}0`, '', 'g'.repeat(64)]) {
        const r = await call('register', { serialHash }, flow);
        assert.equal(r.status, 400, serialHash);
      }
    });

    it('answers a wrong password for a known name and an unknown name alike', async () => {
      const known = await call('register/start', { name: 'alice', password: 'not the password' });
      const unknown = await call('register/start', { name: 'nobody-here', password: 'not the password' });
      assert.deepEqual([known.status, known.json.code], [unknown.status, unknown.json.code]);
      assert.deepEqual([known.status, known.json.code], [400, 'directory.wrong_password']);
    });

    it('lets only the last of parallel registrations in one flow be confirmed', async () => {
      const flow = await atEnrol(bob);
      const answers = await Promise.all(
        ['A', 'B', 'C'].map((d) => call('register', { serialHash: hashOf(d) }, flow).then((r) => ({ d, ...r }))),
      );
      assert.ok(answers.every((a) => a.status === 200));
      const results = [];
      for (const a of answers) {
        const bound = bindToDevice(base32Decode(a.json.secret), hashOf(a.d));
        results.push((await call('register/confirm', { code: totp(bound, Date.now() - 30_000, params) }, flow)).status);
      }
      assert.equal(results.filter((s) => s === 200).length, 1, JSON.stringify(results));
    });

    it("tells the app the server's time", async () => {
      const before = Date.now();
      const response = await fetch(`${tessera.url}/api/otp/desktop/time`);
      const { now } = (await response.json()) as { now: number };
      assert.ok(now >= before - 1000 && now <= Date.now() + 1000);
      assert.equal(response.headers.get('cache-control'), 'no-store');
    });
  });
}
