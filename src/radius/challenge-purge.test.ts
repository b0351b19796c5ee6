import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../clock/index.ts';
import { createAudit, createSqlAuditStore } from '../audit/index.ts';
import { createChallengePurge, createSqlChallengeStates } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

for (const dialect of await testDialects()) {
  describe(`VPN challenges never answered on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);

    it('records each expired, unanswered challenge once, whichever of two nodes purges it, and never an answered or a late one', async () => {
      const db = fixture.store.db;
      const clock = manualClock(Date.UTC(2026, 11, 2, 8, 50));
      // Two nodes on one database, each with its own audit and its own purge.
      const nodes = [0, 1].map(() => {
        const audit = createAudit(createSqlAuditStore(db), clock);
        const states = createSqlChallengeStates(db, clock, 120);
        return {
          states,
          purge: createChallengePurge({
            states,
            audit: (event) => audit.record({ actor: event.subject ?? 'radius', ...event }),
          }),
        };
      });
      const signIn = (accountId: string) => [
        {
          actor: accountId,
          action: 'account.sign_in',
          subject: accountId,
          outcome: 'success',
          details: { source: 'directory' },
        },
      ];
      const challenge = (accountId: string, userName: string) =>
        nodes[0].states.create({ accountId, client: 'vpn', userName, source: '192.0.2.10', steps: signIn(accountId) });
      const unanswered = await challenge('id-alice', 'CORP\\alice');
      const answered = await challenge('id-bob', 'bob');
      const late = await challenge('id-carol', 'carol');
      const stolen = await challenge('id-dave', 'dave');
      assert.deepEqual(await nodes[1].states.consume(answered, 'vpn', 'bob'), {
        accountId: 'id-bob',
        client: 'vpn',
        userName: 'bob',
        source: '192.0.2.10',
        steps: signIn('id-bob'),
        createdAt: clock.now(),
        late: false,
      });
      // Answered under another name: not spent, so still unanswered by the person it was made for.
      assert.equal(await nodes[1].states.consume(stolen, 'vpn', 'mallory'), undefined);

      clock.advance(60_000);
      await Promise.all(nodes.map((n) => n.purge()));
      assert.equal(
        await db.selectFrom('audit_events').select('seq').executeTakeFirst(),
        undefined,
        'nothing before a State expires',
      );
      clock.advance(61_000);
      const fresh = await challenge('id-erin', 'erin');
      assert.equal(
        (await nodes[1].states.consume(late, 'vpn', 'carol'))?.late,
        true,
        'answered after it expired: an answer, though too late',
      );
      await Promise.all([nodes[0].purge(), nodes[1].purge(), nodes[0].purge(), nodes[1].purge()]);
      await Promise.all(nodes.map((n) => n.purge()));

      const rows = (
        await db
          .selectFrom('audit_events')
          .select(['action', 'subject', 'source', 'outcome', 'details'])
          .orderBy('id')
          .execute()
      ).map((r) => ({ ...r, details: JSON.parse(r.details) }));
      const row = (subject: string, user: string) => ({
        action: 'radius.reject',
        subject,
        source: '192.0.2.10',
        outcome: 'failure',
        details: {
          client: 'vpn',
          user,
          reason: 'radius.challenge_unanswered',
          challengedAt: '2026-12-02T08:50:00.000Z',
          steps: [{ action: 'account.sign_in', outcome: 'success', details: { source: 'directory' } }],
        },
      });
      assert.deepEqual(
        rows.sort((a, b) => String(a.subject).localeCompare(String(b.subject))),
        [row('id-alice', 'CORP\\alice'), row('id-dave', 'dave')],
      );
      assert.equal(
        await nodes[0].states.consume(unanswered, 'vpn', 'CORP\\alice'),
        undefined,
        'a purged State is gone',
      );
      assert.equal((await nodes[0].states.consume(fresh, 'vpn', 'erin'))?.late, false, 'an unexpired State is kept');
    });
  });
}
