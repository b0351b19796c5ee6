// The HTTP SMS provider against a local server that answers as the REST SMS API does (Twilio's Messages resource):
// 201 with the message's sid, 400 with the provider's error code for a bad number, 401 for a wrong token, 429 and 5xx
// for "later"; and the status callback's signature.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startSmsApi, type SmsApi } from '../../../test/support/sms-api.ts';
import { freePort } from '../../../test/support/tessera.ts';
import { callbackOutcome, callbackSignature, createHttpSmsGateway, validCallbackSignature } from './http.ts';
import type { SmsSendFailure } from './gateway.ts';

describe('the HTTP SMS provider', () => {
  let api: SmsApi;
  before(async () => {
    api = await startSmsApi({ accountId: 'AC0123', authToken: 'token-1' });
  });
  after(() => api.close());
  const gateway = (authToken = 'token-1', url = api.url) =>
    createHttpSmsGateway({
      url,
      accountId: 'AC0123',
      authToken,
      from: '+40700000000',
      statusCallbackUrl: 'https://id.example.com/sms/status',
      timeoutMs: 2000,
    });

  it("posts the form the API expects and returns the message's sid", async () => {
    const sid = await gateway().send({ to: '+40721234567', text: 'Codul tău: 123456', reference: 'r' });
    const [received] = api.received;
    assert.equal(received.sid, sid);
    assert.deepEqual(received.form, {
      To: '+40721234567',
      From: '+40700000000',
      Body: 'Codul tău: 123456',
      StatusCallback: 'https://id.example.com/sms/status',
    });
  });

  it("reads the API's refusals: a bad number or a wrong token is final, 429 and 5xx are for later", async () => {
    const reason = async (promise: Promise<unknown>) => {
      const err = (await promise.then(
        () => assert.fail('sent'),
        (e: unknown) => e,
      )) as SmsSendFailure;
      return [err.reason, err.permanent];
    };
    assert.deepEqual(await reason(gateway().send({ to: api.invalidNumber, text: 'x', reference: 'r' })), [
      'http 400 code 21211',
      true,
    ]);
    assert.deepEqual(await reason(gateway('wrong').send({ to: '+40721234567', text: 'x', reference: 'r' })), [
      'http 401 code 20003',
      true,
    ]);
    api.mode = 'busy';
    assert.deepEqual(await reason(gateway().send({ to: '+40721234567', text: 'x', reference: 'r' })), [
      'http 429 code 20429',
      false,
    ]);
    api.mode = 'down';
    assert.deepEqual(await reason(gateway().send({ to: '+40721234567', text: 'x', reference: 'r' })), [
      'http 503',
      false,
    ]);
    api.mode = 'ok';
    const nobody = `http://127.0.0.1:${await freePort()}`;
    assert.deepEqual(await reason(gateway('token-1', nobody).send({ to: '+40721234567', text: 'x', reference: 'r' })), [
      'ECONNREFUSED',
      false,
    ]);
  });

  it('signs status callbacks as the provider does: HMAC-SHA1 over the URL and the sorted fields', () => {
    const url = 'https://id.example.com/sms/status';
    const fields = { MessageStatus: 'delivered', MessageSid: 'SM1', AccountSid: 'AC0123' };
    // Written out by hand, not with the code under test: URL, then each name and value in name order.
    const expected = createHmac('sha1', 'token-1')
      .update(`${url}AccountSidAC0123MessageSidSM1MessageStatusdelivered`)
      .digest('base64');
    assert.equal(callbackSignature('token-1', url, fields), expected);
    assert.ok(validCallbackSignature('token-1', url, fields, expected));
    assert.ok(!validCallbackSignature('token-1', url, { ...fields, MessageStatus: 'failed' }, expected));
    assert.ok(!validCallbackSignature('token-1', 'https://evil.example/sms/status', fields, expected));
    assert.ok(!validCallbackSignature('token-1', url, fields, undefined));
    assert.deepEqual(['queued', 'sent', 'delivered', 'undelivered', 'failed', 42].map(callbackOutcome), [
      undefined,
      undefined,
      'delivered',
      'failed',
      'failed',
      undefined,
    ]);
  });
});
