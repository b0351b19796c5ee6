import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { manualClock } from '../clock/index.ts';
import { createOutbox, createSqlOutboxStore, isDeliverableAddress, type OutgoingMail } from './index.ts';
import { testDialects, useMigratedStore } from '../../test/support/databases.ts';

const silent = pino({ level: 'silent' });

for (const dialect of await testDialects()) {
  describe(`enqueueing mail on ${dialect}`, () => {
    const fixture = useMigratedStore(dialect);
    const count = async () => (await fixture.store.db.selectFrom('outbox').select('id').execute()).length;
    // Mailbox mode: no relay, so a refusal can only come from the checks before storing.
    const mailbox = (clock = manualClock()) =>
      createOutbox({
        store: createSqlOutboxStore(fixture.store.db),
        clock,
        transport: null,
        from: 'Tessera <no-reply@example.com>',
        pollMs: 10,
        maxAttempts: 3,
        logger: silent,
      });
    const base: OutgoingMail = { to: 'x@example.com', subject: 'Hi', text: 'x' };

    it('refuses header injection through the subject, the recipient or a custom header, storing nothing', async () => {
      const outbox = mailbox();
      const before = await count();
      const hostile: Array<[Partial<OutgoingMail>, string]> = [
        [{ subject: 'Hi\r\nBcc: victim@example.com' }, 'subject'],
        [{ subject: 'Hi\nX-Spam: no' }, 'subject'],
        [{ subject: 'Hi\u0000there' }, 'subject'],
        [{ to: 'x@example.com\nBcc: v@example.com' }, 'to'],
        [{ to: 'x@example.com\r' }, 'to'],
        [{ headers: { 'X-A': 'b\r\nBcc: v@example.com' } }, 'headers'],
        [{ headers: { 'X-A\r\nBcc': 'v@example.com' } }, 'headers'],
      ];
      for (const [change, field] of hostile) {
        await assert.rejects(
          outbox.enqueue({ ...base, ...change }),
          { code: 'delivery.header_injection', field },
          JSON.stringify(change),
        );
      }
      assert.equal(await count(), before);
    });

    it('refuses custom headers that would add recipients, forge the sender or break the message', async () => {
      const outbox = mailbox();
      const before = await count();
      for (const name of [
        'Bcc',
        'cc',
        'From',
        'Sender',
        'To',
        'Subject',
        'Message-ID',
        'Content-Type',
        'Date',
        'X-Bad:Name',
        'X Space',
        '',
      ]) {
        await assert.rejects(
          outbox.enqueue({ ...base, headers: { [name]: 'v@example.com' } }),
          { code: 'delivery.invalid_header' },
          name,
        );
      }
      assert.equal(await count(), before);
    });

    it('refuses recipients that are not one deliverable address, storing nothing', async () => {
      const outbox = mailbox();
      const before = await count();
      const bad = [
        '',
        'ana',
        'ana@',
        '@example.com',
        'a@b@example.com',
        'one@example.com, two@example.com',
        'one@example.com;two@example.com',
        'Ana <ana@example.com>',
        'ana @example.com',
        'ana@example',
        '.ana@example.com',
        'an..a@example.com',
        'ana@exa..mple.com',
        'ana@-example.com',
        '"ana"@example.com',
        `${'a'.repeat(65)}@example.com`,
        `a@${'b'.repeat(250)}.com`,
      ];
      for (const to of bad)
        await assert.rejects(outbox.enqueue({ ...base, to }), { code: 'delivery.invalid_recipient' }, to);
      assert.equal(await count(), before);
    });

    it('refuses a mail that is not a mail (missing text, empty subject, unknown category) instead of storing it', async () => {
      const outbox = mailbox();
      const before = await count();
      await assert.rejects(outbox.enqueue({ ...base, text: undefined } as unknown as OutgoingMail), {
        code: 'delivery.invalid_mail',
        field: 'text',
      });
      await assert.rejects(outbox.enqueue({ ...base, subject: '  ' }), {
        code: 'delivery.invalid_mail',
        field: 'subject',
      });
      await assert.rejects(outbox.enqueue({ ...base, category: 'spam' } as unknown as OutgoingMail), {
        code: 'delivery.invalid_mail',
        field: 'category',
      });
      await assert.rejects(outbox.enqueue({ ...base, headers: { 'X-N': 5 } } as unknown as OutgoingMail), {
        code: 'delivery.invalid_header',
        field: 'X-N',
      });
      assert.equal(await count(), before);
    });

    it('accepts ordinary addresses people really have', () => {
      for (const to of [
        'ana@example.com',
        'first.last+tag@mail.example.co.uk',
        "o'brien@example.ie",
        'x_y-z@sub-domain.example',
        'ana@exämple.de',
        'ünal@example.com',
      ]) {
        assert.equal(isDeliverableAddress(to), true, to);
      }
    });

    it('keeps mail in the local mailbox without a relay: stored as sent at once, readable, newest first', async () => {
      const clock = manualClock();
      const outbox = mailbox(clock);
      outbox.start(); // nothing to poll in mailbox mode; start and stop are harmless
      const first = await outbox.enqueue({
        to: 'dana@example.com',
        subject: 'First',
        text: 'read me here',
        html: '<p>read me here</p>',
      });
      clock.advance(1_000);
      const second = await outbox.enqueue({
        to: 'dana@example.com',
        subject: 'Second',
        text: 'and me',
        category: 'marketing',
      });
      await outbox.enqueue({ to: 'eve@example.com', subject: 'Not for Dana', text: 'x' });
      assert.equal(await outbox.deliverDue(), 0, 'nothing goes to the network');
      const mails = await outbox.recent({ to: 'dana@example.com' });
      assert.deepEqual(
        mails.map((m) => m.id),
        [second, first],
      );
      assert.deepEqual(mails[1], {
        id: first,
        to: 'dana@example.com',
        subject: 'First',
        text: 'read me here',
        html: '<p>read me here</p>',
        category: 'transactional',
        status: 'sent',
        createdAt: clock.now() - 1_000,
        sentAt: clock.now() - 1_000,
      });
      assert.equal(mails[0].category, 'marketing');
      assert.equal((await outbox.recent({ limit: 1 })).length, 1);
      assert.equal((await outbox.recent({ limit: -5 })).length, 1, 'a nonsensical limit still shows something');
      assert.ok((await outbox.recent({ limit: 100_000 })).length <= 200, 'the page never loads the whole table');
      assert.deepEqual(await outbox.recent({ to: 'nobody@example.com' }), []);
      await outbox.stop();
    });
  });
}
