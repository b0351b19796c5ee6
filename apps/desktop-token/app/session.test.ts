// The clock check against a server answering /api/otp/desktop/time with a clock set off, and the words a person
// reads before the tenth wrong PIN.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TokenError } from '../core/index.ts';
import { tesseraApi } from './api.ts';
import { clockWarning } from './cli.ts';
import { describeError } from './messages.ts';
import { clockOffsetSeconds } from './session.ts';

describe('the clock check and the PIN warnings', () => {
  let server: Server;
  let url: string;
  let skewMs = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/api/otp/desktop/time') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: Date.now() + skewMs }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("says when this PC's clock is ahead of or behind Tessera's, and nothing when it is right", async () => {
    const api = tesseraApi(url);
    skewMs = 0;
    assert.equal(await clockWarning(api), undefined);
    skewMs = -90_000;
    assert.ok(Math.abs((await clockOffsetSeconds(api))! - 90) <= 1);
    assert.match((await clockWarning(api))!, /^This PC's clock is 9\d s ahead of Tessera's: codes may be refused\./);
    skewMs = 40_000;
    assert.match((await clockWarning(api))!, /clock is \d+ s behind Tessera's/);
    assert.match((await clockWarning(tesseraApi('http://127.0.0.1:9')))!, /Could not ask Tessera for its time/);
  });

  it('says how many tries are left, and before the last one that it erases the token', () => {
    assert.equal(
      describeError(new TokenError('vault.wrong_pin', { triesLeft: 6, retryAfterSeconds: 4 })),
      'Wrong PIN (or this token file was registered on another PC). 6 tries left before the token is erased from ' +
        'this PC. Next try in 4 seconds.',
    );
    assert.match(
      describeError(new TokenError('vault.wrong_pin', { triesLeft: 1, retryAfterSeconds: 60 })),
      /One more wrong PIN erases the token from this PC; you would then register again\. Next try in 1 minute\./,
    );
    assert.match(describeError(new TokenError('vault.erased')), /erased after 10 wrong PINs in a row\. Register again/);
  });
});
