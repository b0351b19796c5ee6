import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../clock/index.ts';
import { createAudit, createSqlAuditStore } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import type { AuditVerdict } from './index.ts';

function assertIntact(verdict: AuditVerdict, events: number) {
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(verdict.events, events);
}

for (const dialect of await testDialects()) {
  describe(`audit log on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);

    it('chains events appended concurrently and detects an edited row', async () => {
      const audit = createAudit(createSqlAuditStore(fixture.store.db), systemClock);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          audit.record({ actor: 'admin', action: 'test.event', subject: `s${i}`, outcome: 'success' }),
        ),
      );
      assertIntact(await audit.verify(), 10);
      await fixture.store.db.updateTable('audit_events').set({ outcome: 'failure' }).where('seq', '=', 4).execute();
      const verdict = await audit.verify();
      assert.equal(verdict.ok, false);
      assert.deepEqual(verdict.ok ? [] : [verdict.brokenAt, verdict.problem], [4, 'changed']);
    });

    it('appends a burst in the order it was recorded, each caller told when its own event is stored', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const audit = createAudit(createSqlAuditStore(fixture.store.db), systemClock);
      const subjects = Array.from({ length: 150 }, (_, i) => `b${i}`);
      await Promise.all(
        subjects.map(async (subject) => {
          await audit.record({ actor: 'admin', action: 'test.burst', subject, outcome: 'success' });
          assert.equal(await audit.hasEvent('test.burst', subject), true, subject);
        }),
      );
      const rows = await fixture.store.db.selectFrom('audit_events').select('subject').orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => r.subject),
        subjects,
      );
      assertIntact(await audit.verify(), 150);
    });

    it("appends what an action's steps record as one row with its concluding event, also when the action fails", async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const audit = createAudit(createSqlAuditStore(fixture.store.db), systemClock);
      const login = (subject: string, fail: boolean) =>
        audit.asOneEvent(async () => {
          await audit.record({
            actor: subject,
            action: 'account.sign_in',
            subject,
            outcome: 'success',
            details: { source: 'directory' },
          });
          await audit.record({
            actor: subject,
            action: 'otp.validate',
            subject,
            outcome: fail ? 'wrong_code' : 'success',
            details: fail ? {} : { serial: 'TOTP0001' },
          });
          if (fail) throw Object.assign(new Error('wrong code'), { code: 'otp.wrong_code' });
          await audit.record({
            actor: subject,
            action: 'radius.accept',
            subject,
            outcome: 'success',
            source: '192.0.2.7',
            details: { client: 'vpn' },
          });
          return 'accepted';
        });
      // Two logins at once and an event of another request in between: each keeps its own steps.
      const [accepted, refused] = await Promise.allSettled([
        login('alice', false),
        login('bob', true),
        audit.record({ actor: 'admin', action: 'client.add', subject: null, outcome: 'success' }),
      ]);
      assert.equal(accepted.status === 'fulfilled' && accepted.value, 'accepted');
      assert.equal(
        refused.status === 'rejected' && (refused.reason as { code: string }).code,
        'otp.wrong_code',
        "the action's own error reaches the caller",
      );
      const rows = await fixture.store.db
        .selectFrom('audit_events')
        .select(['action', 'subject', 'source', 'outcome', 'details'])
        .orderBy('seq')
        .execute();
      const bySubject = (subject: string | null) =>
        rows.filter((r) => r.subject === subject).map((r) => ({ ...r, details: JSON.parse(r.details) }));
      assert.deepEqual(bySubject('alice'), [
        {
          action: 'radius.accept',
          subject: 'alice',
          source: '192.0.2.7',
          outcome: 'success',
          details: {
            client: 'vpn',
            steps: [
              { action: 'account.sign_in', outcome: 'success', details: { source: 'directory' } },
              { action: 'otp.validate', outcome: 'success', details: { serial: 'TOTP0001' } },
            ],
          },
        },
      ]);
      assert.deepEqual(
        bySubject('bob'),
        [
          {
            action: 'otp.validate',
            subject: 'bob',
            source: null,
            outcome: 'wrong_code',
            details: { steps: [{ action: 'account.sign_in', outcome: 'success', details: { source: 'directory' } }] },
          },
        ],
        'a failed action loses none of what it recorded',
      );
      assert.deepEqual(
        bySubject(null).map((r) => r.action),
        ['client.add'],
      );
      assert.equal(rows.length, 3);
      assertIntact(await audit.verify(), 3);
      assert.equal(await audit.hasEvent('radius.accept', 'alice'), true);
    });

    it('joins an action that goes on in a later request: the steps taken out are not appended, and come first in the row that carries them', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const audit = createAudit(createSqlAuditStore(fixture.store.db), systemClock);
      // A RADIUS challenge: the password in one packet, its step kept; nothing is appended for that packet.
      const kept = await audit.asOneEvent(async () => {
        await audit.record({
          actor: 'id-alice',
          action: 'account.sign_in',
          subject: 'id-alice',
          outcome: 'success',
          details: { source: 'directory' },
        });
        return audit.takeSteps();
      });
      assert.deepEqual(kept, [
        {
          actor: 'id-alice',
          action: 'account.sign_in',
          subject: 'id-alice',
          outcome: 'success',
          details: { source: 'directory' },
        },
      ]);
      assert.deepEqual(audit.takeSteps(), [], 'outside an action there is nothing to take');
      // The code in the next packet: its row carries the kept step first, then its own.
      await audit.asOneEvent(async () => {
        await audit.record({
          actor: 'id-alice',
          action: 'otp.validate',
          subject: 'id-alice',
          outcome: 'replayed',
          details: { serial: 'TOTP0001' },
        });
        await audit.record({
          actor: 'radius',
          action: 'radius.reject',
          subject: null,
          source: '192.0.2.7',
          outcome: 'failure',
          details: { client: 'vpn', reason: 'otp.replayed' },
          steps: JSON.parse(JSON.stringify(kept)),
        });
      });
      // Never answered: the row written later, outside any action, carries the step and is about whom it names.
      await audit.record({
        actor: 'radius',
        action: 'radius.reject',
        subject: null,
        source: '192.0.2.7',
        outcome: 'failure',
        details: { reason: 'radius.challenge_unanswered' },
        steps: kept,
      });
      const rows = (
        await fixture.store.db
          .selectFrom('audit_events')
          .select(['actor', 'action', 'subject', 'source', 'details'])
          .orderBy('seq')
          .execute()
      ).map((r) => ({ ...r, details: JSON.parse(r.details) }));
      const password = {
        action: 'account.sign_in',
        outcome: 'success',
        actor: 'id-alice',
        details: { source: 'directory' },
      };
      assert.deepEqual(rows, [
        {
          actor: 'radius',
          action: 'radius.reject',
          subject: 'id-alice',
          source: '192.0.2.7',
          details: {
            client: 'vpn',
            reason: 'otp.replayed',
            steps: [
              password,
              { action: 'otp.validate', outcome: 'replayed', actor: 'id-alice', details: { serial: 'TOTP0001' } },
            ],
          },
        },
        {
          actor: 'radius',
          action: 'radius.reject',
          subject: 'id-alice',
          source: '192.0.2.7',
          details: { reason: 'radius.challenge_unanswered', steps: [password] },
        },
      ]);
      assertIntact(await audit.verify(), 2);
    });

    it('lists for the helpdesk, newest first, by person and by action, taking names and actions literally', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const audit = createAudit(createSqlAuditStore(fixture.store.db), systemClock);
      // A VPN login refused at the password: the concluding event names nobody, its step names the account.
      await audit.asOneEvent(async () => {
        await audit.record({ actor: 'anonymous', action: 'account.sign_in', subject: 'id-alice', outcome: 'failure' });
        await audit.record({
          actor: 'radius',
          action: 'radius.reject',
          subject: null,
          outcome: 'failure',
          details: { client: 'vpn', user: 'CORP\\Alice', reason: 'identity.invalid_credentials' },
        });
      });
      await audit.record({
        actor: 'id-alice',
        action: 'radius.accept',
        subject: 'id-alice',
        outcome: 'success',
        details: { client: 'vpn', user: 'alice' },
      });
      await audit.record({
        actor: 'radius',
        action: 'radius.reject',
        subject: null,
        outcome: 'failure',
        details: { client: 'vpn', user: 'nobody_50%', reason: 'identity.invalid_credentials' },
      });
      await audit.record({ actor: 'operator', action: 'radius.client.add', subject: 'vpn', outcome: 'success' });
      await audit.record({ actor: 'anonymous', action: 'password_reset', subject: 'id-bob', outcome: 'success' });
      await audit.record({ actor: 'anonymous', action: 'passwordXreset.sent', subject: 'id-bob', outcome: 'success' });

      const list = async (query: Parameters<typeof audit.list>[0]) =>
        (await audit.list(query)).map((e) => `${e.action} ${e.subject}`);
      assert.deepEqual(
        await list({ who: { name: 'alice', accountId: 'id-alice' }, limit: 10 }),
        ['radius.accept id-alice', 'radius.reject id-alice'],
        'the refusal is listed with the person its step found',
      );
      assert.deepEqual(
        await list({ who: { name: 'corp\\alice' }, limit: 10 }),
        ['radius.reject id-alice'],
        'a name as typed, without case',
      );
      assert.deepEqual(await list({ who: { name: 'nobody_50%' }, limit: 10 }), ['radius.reject null']);
      assert.deepEqual(await list({ who: { name: 'nobody_5%' }, limit: 10 }), [], 'no wildcards in a name');
      assert.deepEqual(await list({ action: 'radius', limit: 10 }), [
        'radius.client.add vpn',
        'radius.reject null',
        'radius.accept id-alice',
        'radius.reject id-alice',
      ]);
      assert.deepEqual(
        await list({ action: 'radius.reject', limit: 1 }),
        ['radius.reject null'],
        'newest first, up to the limit',
      );
      assert.deepEqual(
        await list({ action: 'password_reset', limit: 10 }),
        ['password_reset id-bob'],
        'an underscore is an underscore',
      );
      assert.deepEqual(await list({ action: 'radius.rej', limit: 10 }), [], 'a prefix is whole parts of the name');
      const [refusal] = await audit.list({ who: { name: 'nobody_50%' }, limit: 1 });
      assert.deepEqual(refusal.details, { client: 'vpn', user: 'nobody_50%', reason: 'identity.invalid_credentials' });
      assert.equal(typeof refusal.seq, 'number');
      assert.equal(typeof refusal.id, 'number');
      assertIntact(await audit.verify(), 6);
    });

    it('tells whether an event with these details was recorded: a VPN login with a code, not one without', async () => {
      const audit = createAudit(createSqlAuditStore(fixture.store.db), systemClock);
      const record = (action: string, subject: string, factors: string[]) =>
        audit.record({
          actor: 'radius',
          action,
          subject,
          outcome: 'success',
          details: { client: 'vpn', user: subject, factors },
        });
      const withCode = { factors: ['pwd', 'otp'] };
      await record('radius.accept', 'pwd-only', ['pwd']);
      await record('radius.reject', 'pwd-only', ['pwd', 'otp']);
      assert.equal(await audit.hasEvent('radius.accept', 'pwd-only'), true);
      assert.equal(await audit.hasEvent('radius.accept', 'pwd-only', withCode), false);
      await record('radius.accept', 'pwd-only', ['pwd', 'otp']);
      assert.equal(await audit.hasEvent('radius.accept', 'pwd-only', withCode), true);
      assert.equal(await audit.hasEvent('radius.accept', 'pwd-only', { ...withCode, client: 'vpn' }), true);
      const wildcard = { ...withCode, client: 'v_n' };
      assert.equal(await audit.hasEvent('radius.accept', 'pwd-only', wildcard), false, 'no wildcard');
      assert.equal(await audit.hasEvent('radius.accept', 'someone-else', withCode), false);
    });

    it('keeps one unbroken chain when two processes are given the same chain and append at the same time', async () => {
      await fixture.store.db.deleteFrom('audit_events').execute();
      const node = () =>
        createAudit(createSqlAuditStore(fixture.store.db), systemClock, undefined, { chain: 'shared' });
      const [a, b] = [node(), node()];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).record({ actor: `node${i % 2}`, action: 'test.event', outcome: 'success' }),
        ),
      );
      assertIntact(await a.verify(), 20);
    });
  });
}
