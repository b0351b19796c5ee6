import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { manualClock } from '../clock/index.ts';
import { createOutbox, renderMail } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';
import { startSmtpServer, type SmtpTestServer } from '../../test/support/smtp.ts';
import { freePort } from '../../test/support/tessera.ts';

const silent = pino({ level: 'silent' });

for (const dialect of await testDialects()) {
  describe(`mail outbox on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    let smtp: SmtpTestServer;
    before(async () => { smtp = await startSmtpServer(); });
    after(() => smtp.stop());

    const outboxFor = (url: string, clock = manualClock(), maxAttempts = 3) =>
      createOutbox({ db: fixture.store.db, clock, transport: url, from: 'Tessera <no-reply@example.com>', pollMs: 10, maxAttempts, logger: silent });

    it('delivers through the relay with the template, a Message-ID and pass-through headers', async () => {
      const outbox = outboxFor(smtp.url);
      await outbox.enqueue({ to: 'ana@example.com', ...renderMail('account.verify_email', { code: '012345', link: 'https://id.example.com/v?token=t', expiresMinutes: 60 }), headers: { 'List-Unsubscribe': '<https://id.example.com/u>' } });
      assert.equal(await outbox.deliverDue(), 1);
      const mail = await smtp.waitForMail((m) => m.to.includes('ana@example.com'));
      assert.equal(mail.subject, 'Confirm your e-mail address');
      assert.match(mail.text, /012345/);
      assert.match(mail.headers.get('message-id') ?? '', /^<[0-9a-f-]+@example\.com>$/);
      assert.equal(mail.headers.get('list-unsubscribe'), '<https://id.example.com/u>');
      assert.equal(await outbox.deliverDue(), 0, 'sent once');
      await outbox.stop();
    });

    it('keeps mail while the relay is down and delivers it when the relay is back: nothing is lost', async () => {
      const clock = manualClock();
      const deadPort = await freePort();
      const down = outboxFor(`smtp://127.0.0.1:${deadPort}`, clock, 10);
      const id = await down.enqueue({ to: 'ben@example.com', subject: 'Hello', text: 'kept' });
      assert.equal(await down.deliverDue(), 0);
      const row = await fixture.store.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.ok(row.next_attempt_at > clock.now(), 'a retry is scheduled later');
      assert.equal(await down.deliverDue(), 0, 'not retried before its time');
      await down.stop();
      clock.advance(60_000);
      const back = outboxFor(smtp.url, clock, 10);
      assert.equal(await back.deliverDue(), 1);
      await smtp.waitForMail((m) => m.to.includes('ben@example.com'));
      await back.stop();
    });

    it('retries a refusing relay with growing delays and marks the mail failed after the last attempt', async () => {
      const clock = manualClock();
      const outbox = outboxFor(smtp.url, clock, 3);
      smtp.refuse = true;
      const id = await outbox.enqueue({ to: 'cleo@example.com', subject: 'Hello', text: 'refused' });
      const delays: number[] = [];
      for (let i = 0; i < 3; i++) {
        await outbox.deliverDue();
        const row = await fixture.store.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        delays.push(row.next_attempt_at - clock.now());
        clock.advance(10 * 60_000);
      }
      smtp.refuse = false;
      const row = await fixture.store.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'failed');
      assert.equal(row.last_error, '451');
      assert.ok(delays[1] > delays[0], 'the delay grows');
      await outbox.stop();
    });

    it('sends each mail once when two nodes deliver from one database at the same time', async () => {
      const clock = manualClock();
      const [a, b] = [outboxFor(smtp.url, clock), outboxFor(smtp.url, clock)];
      const before = smtp.received.length;
      for (let i = 0; i < 6; i++) await a.enqueue({ to: `twin${i}@example.com`, subject: 'Once', text: 'only once' });
      const [sentA, sentB] = await Promise.all([a.deliverDue(), b.deliverDue()]);
      assert.equal(sentA + sentB, 6);
      assert.equal(smtp.received.length - before, 6);
      await a.stop(); await b.stop();
    });

    it('refuses header injection and bad recipients before storing anything', async () => {
      const outbox = outboxFor(smtp.url);
      const count = async () => (await fixture.store.db.selectFrom('outbox').select('id').execute()).length;
      const before = await count();
      await assert.rejects(outbox.enqueue({ to: 'x@example.com', subject: 'Hi\r\nBcc: victim@example.com', text: 'x' }), { code: 'delivery.header_injection' });
      await assert.rejects(outbox.enqueue({ to: 'x@example.com\nBcc: v@example.com', subject: 'Hi', text: 'x' }), { code: 'delivery.header_injection' });
      await assert.rejects(outbox.enqueue({ to: 'x@example.com', subject: 'Hi', text: 'x', headers: { 'X-A': 'b\r\nX-C: d' } }), { code: 'delivery.header_injection' });
      await assert.rejects(outbox.enqueue({ to: 'a@b@example.com', subject: 'Hi', text: 'x' }), { code: 'delivery.invalid_recipient' });
      await assert.rejects(outbox.enqueue({ to: 'one@example.com, two@example.com', subject: 'Hi', text: 'x' }), { code: 'delivery.invalid_recipient' });
      assert.equal(await count(), before);
      await outbox.stop();
    });

    it('keeps mail locally without a relay (the demo mailbox)', async () => {
      const outbox = createOutbox({ db: fixture.store.db, clock: manualClock(), transport: null, from: 'x@example.com', pollMs: 10, maxAttempts: 3, logger: silent });
      await outbox.enqueue({ to: 'dana@example.com', subject: 'Local', text: 'read me here' });
      const [latest] = await outbox.recent({ to: 'dana@example.com' });
      assert.equal(latest.text, 'read me here');
      assert.equal(latest.status, 'sent');
      await outbox.stop();
    });
  });
}

describe('mail templates', () => {
  it('escapes hostile parameters in HTML and refuses an unknown template', () => {
    const mail = renderMail('account.verify_email', { code: '123456', link: 'https://x.example/"><script>alert(1)</script>', expiresMinutes: 10 });
    assert.doesNotMatch(mail.html, /<script>/);
    assert.match(mail.html, /&lt;script&gt;/);
    assert.match(mail.text, /spam|only once/);
    assert.throws(() => renderMail('nope', {}), { code: 'delivery.unknown_template' });
  });
});
