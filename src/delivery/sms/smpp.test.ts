// The SMPP gateway against an SMS centre (the npm smpp library's server side): GSM-7 and UCS-2 texts, delivery
// receipts, throttling and refused numbers, a refused bind, and a link that is down and then comes back.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmsc, type Smsc } from '../../../test/support/smsc.ts';
import { freePort } from '../../../test/support/tessera.ts';
import { createSmppGateway } from './smpp.ts';
import type { SmsSendFailure } from './gateway.ts';

const options = (url: string, password = 'secret1') => ({
  url,
  systemId: 'tessera',
  password,
  systemType: '',
  sourceAddr: 'Tessera',
  connectTimeoutMs: 2000,
  submitTimeoutMs: 2000,
  enquireLinkSeconds: 30,
});

describe('the SMPP gateway', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });
  async function smscAndGateway(password?: string) {
    const smsc: Smsc = await startSmsc();
    const gateway = createSmppGateway(options(smsc.url, password));
    closers.push(
      () => smsc.close(),
      () => gateway.close(),
    );
    return { smsc, gateway };
  }

  it('sends GSM-7 text as data_coding 0 and Romanian diacritics as UCS-2, to the number without its +', async () => {
    const { smsc, gateway } = await smscAndGateway();
    const plain = await gateway.send({ to: '+40721234567', text: 'Your code is 123456.', reference: 'r1' });
    const romanian = await gateway.send({
      to: '+40721234567',
      text: 'Codul tău: 654321. Nu îl spune nimănui, ș ț.',
      reference: 'r2',
    });
    assert.deepEqual(
      smsc.received.map((s) => [s.messageId, s.to, s.from, s.dataCoding, s.text]),
      [
        [plain, '40721234567', 'Tessera', 0x00, 'Your code is 123456.'],
        [romanian, '40721234567', 'Tessera', 0x08, 'Codul tău: 654321. Nu îl spune nimănui, ș ț.'],
      ],
    );
    assert.equal(smsc.binds, 1, 'one bound session serves every SMS');
  });

  it('reports delivery receipts (deliver_sm) by the message id the SMS centre gave', async () => {
    const { smsc, gateway } = await smscAndGateway();
    const reports: Array<[string, string]> = [];
    gateway.onReport((id, outcome) => reports.push([id, outcome]));
    const first = await gateway.send({ to: '+40721234567', text: 'one', reference: 'a' });
    const second = await gateway.send({ to: '+40721234568', text: 'two', reference: 'b' });
    smsc.receipt(first, 'DELIVRD');
    smsc.receipt(second, 'UNDELIV');
    const until = Date.now() + 5000;
    while (reports.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(reports, [
      [first, 'delivered'],
      [second, 'failed'],
    ]);
  });

  it('takes a throttling answer as "try later" and a refused number as final', async () => {
    const { smsc, gateway } = await smscAndGateway();
    smsc.mode = 'throttle';
    await assert.rejects(gateway.send({ to: '+40721234567', text: 'x', reference: 'a' }), (err: SmsSendFailure) => {
      assert.equal(err.permanent, false);
      assert.equal(err.reason, 'smpp 0x0058');
      return true;
    });
    smsc.mode = 'invalid_number';
    await assert.rejects(gateway.send({ to: '+40721234567', text: 'x', reference: 'a' }), { permanent: true });
    smsc.mode = 'accept';
    assert.ok(await gateway.send({ to: '+40721234567', text: 'x', reference: 'a' }));
  });

  it('fails (to be retried) while the SMS centre is down or refuses the bind, and binds again once it is back', async () => {
    const port = await freePort();
    const gateway = createSmppGateway(options(`smpp://127.0.0.1:${port}`));
    closers.push(() => gateway.close());
    await assert.rejects(gateway.send({ to: '+40721234567', text: 'x', reference: 'a' }), { permanent: false });
    const smsc = await startSmsc({ port });
    closers.push(() => smsc.close());
    assert.ok(await gateway.send({ to: '+40721234567', text: 'back', reference: 'a' }));
    assert.equal(smsc.received[0].text, 'back');

    const wrong = createSmppGateway(options(smsc.url, 'wrong'));
    closers.push(() => wrong.close());
    await assert.rejects(wrong.send({ to: '+40721234567', text: 'x', reference: 'a' }), (err: SmsSendFailure) =>
      /bind refused/.test(err.reason),
    );
  });

  it('keeps an idle link checked with enquire_link (SMPP 3.4 §4.11)', async () => {
    const smsc = await startSmsc();
    const gateway = createSmppGateway({ ...options(smsc.url), enquireLinkSeconds: 1 });
    closers.push(
      () => smsc.close(),
      () => gateway.close(),
    );
    await gateway.send({ to: '+40721234567', text: 'x', reference: 'a' });
    const until = Date.now() + 5000;
    while (smsc.enquireLinks === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(smsc.enquireLinks > 0);
    assert.equal(smsc.binds, 1, 'the link stayed up');
  });
});
