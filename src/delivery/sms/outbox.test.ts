// The SMS outbox on both databases, with two nodes and an SMPP SMS centre: each SMS is sent once however many nodes
// poll; while the link is down it waits and is retried with back-off; a code's SMS is given up once its code
// expired; delivery receipts mark it delivered; the text does not stay in clear once a gateway took it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/support/databases.ts';
import { startSmsc, type Smsc } from '../../../test/support/smsc.ts';
import { freePort } from '../../../test/support/tessera.ts';
import { manualClock } from '../../clock/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { createSqlSmsOutboxStore } from '../sql/sms-outbox-store.ts';
import { createSmsOutbox, type SmsOutbox } from './outbox.ts';
import { createSmppGateway } from './smpp.ts';

const account = { systemId: 'tessera', password: 'secret1' };

for (const dialect of await testDialects()) {
  describe(`the SMS outbox on ${dialect}`, () => {
    let database: TestDatabase;
    let nodes: Store[];
    let smsc: Smsc;
    const clock = manualClock(Date.UTC(2026, 11, 5, 23, 0, 0));
    const outboxes: SmsOutbox[] = [];
    before(async () => {
      database = await createTestDatabase(dialect);
      nodes = [openStore(database.url), openStore(database.url)];
      await nodes[0].migrate();
      smsc = await startSmsc({ ...account, port: await freePort() });
    });
    after(async () => {
      for (const outbox of outboxes) await outbox.stop();
      await smsc.close();
      for (const node of nodes) await node.close();
      await database.drop();
    });
    const outboxOn = (node: Store, url = smsc.url) => {
      const gateway = createSmppGateway({
        url,
        ...account,
        systemType: '',
        sourceAddr: '+40700000000',
        connectTimeoutMs: 2000,
        submitTimeoutMs: 2000,
        enquireLinkSeconds: 30,
      });
      const outbox = createSmsOutbox({
        store: createSqlSmsOutboxStore(node.db),
        clock,
        gateway,
        pollMs: 60_000,
        maxAttempts: 5,
        logger: pino({ level: 'silent' }),
      });
      outboxes.push(outbox);
      return outbox;
    };
    const sms = (id: string, to: string, expiresAt = clock.now() + 600_000) => ({
      id,
      to,
      text: `code for ${id}`,
      reference: `flow-${id}`,
      expiresAt,
    });

    it('sends each SMS once while two nodes deliver at the same time, and empties its text', async () => {
      const [a, b] = [outboxOn(nodes[0]), outboxOn(nodes[1])];
      for (let i = 0; i < 10; i++)
        await a.enqueue(sms(`once-${dialect}-${i}`, `+4072100${String(i).padStart(4, '0')}`));
      const sent = await Promise.all([a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()]);
      assert.equal(
        sent.reduce((x, y) => x + y, 0),
        10,
      );
      const received = smsc.received.filter((s) => s.text.startsWith(`code for once-${dialect}`));
      assert.equal(received.length, 10);
      assert.equal(new Set(received.map((s) => s.to)).size, 10);
      assert.equal(await a.state(`once-${dialect}-0`), 'sent');
      const [row] = await nodes[0].db
        .selectFrom('sms_outbox')
        .select('text')
        .where('id', '=', `once-${dialect}-0`)
        .execute();
      assert.equal(row.text, '');
    });

    it('retries with back-off while the link is down, gives up an expired code, and records delivery receipts', async () => {
      const port = await freePort();
      const down = outboxOn(nodes[0], `smpp://127.0.0.1:${port}`);
      await down.enqueue(sms(`late-${dialect}`, '+40721999001'));
      await down.enqueue(sms(`stale-${dialect}`, '+40721999002', clock.now() + 3000));
      assert.equal(await down.deliverDue(), 0);
      assert.equal(await down.state(`late-${dialect}`), 'retrying');
      // Not due again before its back-off (2 s), so a dead link is not hammered.
      assert.equal(await down.deliverDue(), 0);
      const [row] = await nodes[0].db
        .selectFrom('sms_outbox')
        .select('attempts')
        .where('id', '=', `late-${dialect}`)
        .execute();
      assert.equal(Number(row.attempts), 1);

      const back = await startSmsc({ ...account, port });
      try {
        clock.advance(5000);
        assert.equal(await down.deliverDue(), 1);
        assert.equal(await down.state(`stale-${dialect}`), 'failed', 'its code had expired');
        const [late] = back.received;
        assert.equal(late.text, `code for late-${dialect}`);
        assert.equal(back.received.length, 1);
        back.receipt(late.messageId, 'DELIVRD');
        const until = Date.now() + 5000;
        while ((await down.state(`late-${dialect}`)) !== 'delivered' && Date.now() < until)
          await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(await down.state(`late-${dialect}`), 'delivered');
      } finally {
        await down.stop();
        await back.close();
      }
    });

    it('forgets SMS done with after 30 days, never one still waiting', async () => {
      const outbox = outboxOn(nodes[0], `smpp://127.0.0.1:${await freePort()}`);
      await outbox.enqueue(sms(`waiting-${dialect}`, '+40721999003', clock.now() + 90 * 86_400_000));
      clock.advance(31 * 86_400_000);
      await outbox.purge();
      const left = await nodes[0].db.selectFrom('sms_outbox').select(['id', 'status']).execute();
      assert.deepEqual(
        left.map((r) => ({ ...r })),
        [{ id: `waiting-${dialect}`, status: 'pending' }],
      );
    });
  });
}
