import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { manualClock } from '../clock/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createOutbox, createSqlOutboxStore, renderMail, retryDelayMs } from './index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/support/databases.ts';
import { startSmtpServer, type SmtpTestServer } from '../../test/support/smtp.ts';

const silent = pino({ level: 'silent' });

for (const dialect of await testDialects()) {
  describe(`mail outbox on ${dialect}`, () => {
    // Two stores on one database: two Tessera nodes, each with its own connection(s).
    let database: TestDatabase;
    let node1: Store;
    let node2: Store;
    let smtp: SmtpTestServer;
    before(async () => {
      database = await createTestDatabase(dialect);
      node1 = openStore(database.url);
      await node1.migrate();
      node2 = openStore(database.url);
      smtp = await startSmtpServer();
    });
    after(async () => {
      await smtp.stop();
      await node1.close();
      await node2.close();
      await database.drop();
    });

    const outboxFor = (
      o: { store?: Store; url?: string; clock?: ReturnType<typeof manualClock>; maxAttempts?: number } = {},
    ) =>
      createOutbox({
        store: createSqlOutboxStore((o.store ?? node1).db),
        clock: o.clock ?? manualClock(),
        transport: o.url ?? smtp.url,
        from: 'Tessera <no-reply@example.com>',
        pollMs: 20,
        maxAttempts: o.maxAttempts ?? 3,
        logger: silent,
      });
    const row = (id: string) =>
      node1.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('delivers through the relay with From, To, Subject, Message-ID, Date, both parts and pass-through headers, once', async () => {
      const clock = manualClock(Date.UTC(2026, 2, 1, 9, 30));
      const outbox = outboxFor({ clock });
      const id = await outbox.enqueue({
        to: 'ana@example.com',
        ...renderMail('account.verify_email', {
          code: '012345',
          link: 'https://id.example.com/v?token=t',
          expiresSeconds: 3600,
        }),
        headers: {
          'List-Unsubscribe': '<https://id.example.com/u>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      clock.advance(1_000);
      assert.equal(await outbox.deliverDue(), 1);
      const mail = await smtp.waitForMail((m) => m.to.includes('ana@example.com'));
      assert.deepEqual(mail.to, ['ana@example.com']);
      assert.equal(mail.from, 'no-reply@example.com');
      assert.equal(mail.headers.get('from'), 'Tessera <no-reply@example.com>');
      assert.equal(mail.subject, 'Confirm your e-mail address');
      assert.equal(mail.headers.get('message-id'), `<${id}@example.com>`);
      assert.equal(Date.parse(mail.headers.get('date') ?? ''), Date.UTC(2026, 2, 1, 9, 30), 'dated when it was stored');
      assert.equal(mail.headers.get('list-unsubscribe'), '<https://id.example.com/u>');
      assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      assert.match(mail.text, /012345/);
      assert.match(mail.html, /<a href="https:\/\/id\.example\.com\/v\?token=t">/);
      const stored = await row(id);
      assert.equal(stored.status, 'sent');
      assert.equal(Number(stored.sent_at), clock.now());
      assert.equal(await outbox.deliverDue(), 0, 'sent once');
      assert.equal(smtp.received.filter((m) => m.to.includes('ana@example.com')).length, 1);
      await outbox.stop();
    });

    it('keeps mail while the relay is down and delivers it when the relay is back: nothing is lost', async () => {
      const clock = manualClock();
      const outbox = outboxFor({ clock, maxAttempts: 10 });
      await smtp.down();
      try {
        const id = await outbox.enqueue({ to: 'ben@example.com', subject: 'Grüße', text: 'kept' });
        assert.equal(await outbox.deliverDue(), 0);
        const pending = await row(id);
        assert.equal(pending.status, 'pending');
        assert.equal(pending.attempts, 1);
        assert.equal(pending.last_error, 'ECONNREFUSED');
        assert.equal(Number(pending.next_attempt_at), clock.now() + retryDelayMs(1), 'a retry is scheduled');
        assert.equal(await outbox.deliverDue(), 0, 'not retried before its time');
        assert.equal((await row(id)).attempts, 1);
      } finally {
        await smtp.up();
      }
      clock.advance(retryDelayMs(1));
      assert.equal(await outbox.deliverDue(), 1);
      const mail = await smtp.waitForMail((m) => m.to.includes('ben@example.com'));
      assert.equal(mail.subject, 'Grüße');
      assert.equal(mail.text.trim(), 'kept');
      await outbox.stop();
    });

    it('retries a refusing relay with growing delays, not before each is due, and fails the mail after maxAttempts', async () => {
      const clock = manualClock();
      const outbox = outboxFor({ clock, maxAttempts: 4 });
      smtp.refuse = true;
      try {
        const id = await outbox.enqueue({ to: 'cleo@example.com', subject: 'Hello', text: 'refused' });
        const delays: number[] = [];
        for (let attempt = 1; attempt <= 4; attempt++) {
          assert.equal(await outbox.deliverDue(), 0);
          assert.equal(smtp.refusedFor('cleo@example.com'), attempt, `attempt ${attempt} reached the relay`);
          const r = await row(id);
          assert.equal(r.attempts, attempt);
          if (attempt === 4) break;
          assert.equal(r.status, 'pending');
          delays.push(Number(r.next_attempt_at) - clock.now());
          clock.advance(delays.at(-1)! - 1);
          assert.equal(await outbox.deliverDue(), 0);
          assert.equal(smtp.refusedFor('cleo@example.com'), attempt, 'no attempt before the delay is over');
          clock.advance(1);
        }
        assert.deepEqual(delays, [2_000, 4_000, 8_000]);
        const failed = await row(id);
        assert.equal(failed.status, 'failed');
        assert.equal(failed.last_error, '451');
        clock.advance(24 * 3600_000);
        assert.equal(await outbox.deliverDue(), 0);
        assert.equal(smtp.refusedFor('cleo@example.com'), 4, 'a failed mail is not tried again');
      } finally {
        smtp.refuse = false;
      }
      assert.equal(retryDelayMs(30), 5 * 60_000, 'the delay stops growing at five minutes');
      await outbox.stop();
    });

    it('fails a mail the relay refuses for good (550) at the first attempt', async () => {
      const outbox = outboxFor({ maxAttempts: 10 });
      smtp.refuse = true;
      smtp.refuseCode = 550;
      try {
        const id = await outbox.enqueue({ to: 'gone@example.com', subject: 'Hello', text: 'x' });
        await outbox.deliverDue();
        const r = await row(id);
        assert.equal(r.status, 'failed');
        assert.equal(r.attempts, 1);
        assert.equal(r.last_error, '550');
      } finally {
        smtp.refuse = false;
        smtp.refuseCode = 451;
      }
      await outbox.stop();
    });

    it('sends each mail exactly once when two nodes deliver from one database at the same time', async () => {
      const clock = manualClock();
      const [a, b] = [outboxFor({ clock, store: node1 }), outboxFor({ clock, store: node2 })];
      const recipients = Array.from({ length: 45 }, (_, i) => `twin${i}@example.com`);
      for (const [i, to] of recipients.entries())
        await (i % 2 ? a : b).enqueue({ to, subject: 'Once', text: 'only once' });
      let sent = 0;
      for (let round = 0; round < 5; round++) {
        const [sentA, sentB] = await Promise.all([a.deliverDue(), b.deliverDue()]);
        sent += sentA + sentB;
      }
      assert.equal(sent, recipients.length);
      for (const to of recipients) {
        assert.equal(smtp.received.filter((m) => m.to.includes(to)).length, 1, `${to} got exactly one mail`);
      }
      await a.stop();
      await b.stop();
    });
  });
}
