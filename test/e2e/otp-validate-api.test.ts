// The validate API as a webmail or portal module uses it: a client-credentials token for Tessera's API, then
// accept / reject / locked for a user's code — with bad tokens, replays, races, disabled and unknown users.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { SignJWT, generateKeyPair } from 'jose';
import { testDialects } from '../support/databases.ts';
import { startTessera, type RunningTessera } from '../support/tessera.ts';
import { enrolMobileToken, oathtool } from '../support/otp.ts';
import { createSqlIdentityStore } from '../../src/identity/index.ts';

for (const dialect of await testDialects()) {
  describe(`OTP validate API on ${dialect}`, () => {
    let tessera: RunningTessera;
    let token: string;
    let config: client.Configuration;
    before(async () => {
      tessera = await startTessera(dialect);
      const registered = await tessera.clients.add({
        client_id: 'webmail-module',
        client_name: 'Webmail OTP module',
        redirect_uris: ['https://mail.example.com/cb'],
        grant_types: ['client_credentials'],
      });
      config = await client.discovery(
        new URL(tessera.url),
        'webmail-module',
        String(registered.client_secret),
        undefined,
        { execute: [client.allowInsecureRequests] },
      );
      token = (await client.clientCredentialsGrant(config, { scope: 'otp:validate' })).access_token;
    });
    after(() => tessera.stop());

    const validate = (user: string, code: string, bearer = token) =>
      fetch(`${tessera.url}/api/otp/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user, code }),
      });
    async function employee(username: string) {
      const id = randomUUID();
      await createSqlIdentityStore(tessera.store.db).upsertWorkforceAccount(
        {
          id,
          kind: 'workforce',
          email: null,
          emailVerified: false,
          directoryId: randomUUID(),
          username,
          groups: [],
          passwordHash: null,
          name: null,
          status: 'active',
          createdAt: 0,
        },
        0,
      );
      return { id, key: await enrolMobileToken(tessera, id, username) };
    }

    it('accepts a good code once, by IT code in any form, and rejects the replay', async () => {
      const { key } = await employee(`jsmith-${dialect}`);
      const code = oathtool(key);
      assert.deepEqual(await (await validate(`CORP\\JSmith-${dialect}`, code)).json(), { result: 'accept' });
      assert.deepEqual(await (await validate(`jsmith-${dialect}`, code)).json(), {
        result: 'reject',
        reason: 'otp.replayed',
      });
    });

    it('answers an unknown user like a wrong code, and rejects a disabled account even with a valid code', async () => {
      assert.deepEqual(await (await validate('nobody-at-all', '123456')).json(), {
        result: 'reject',
        reason: 'otp.wrong_code',
      });
      const { id, key } = await employee(`left-${dialect}`);
      await createSqlIdentityStore(tessera.store.db).setStatus(id, 'disabled', Date.now());
      assert.deepEqual(await (await validate(`left-${dialect}`, oathtool(key))).json(), {
        result: 'reject',
        reason: 'otp.wrong_code',
      });
    });

    it('rejects malformed codes and refuses malformed bodies', async () => {
      const { key } = await employee(`typo-${dialect}`);
      for (const bad of ['12345', '١٢٣٤٥٦', 'abcdef', ''])
        assert.equal(
          ((await (await validate(`typo-${dialect}`, bad)).json()) as { reason: string }).reason,
          'otp.malformed',
          bad,
        );
      for (const body of [JSON.stringify({ user: 'x' }), '{"user":', JSON.stringify({ user: '', code: '123456' })]) {
        const bad = await fetch(`${tessera.url}/api/otp/validate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        assert.equal(bad.status, 400, body);
        assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
      }
      const huge = await fetch(`${tessera.url}/api/otp/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'x'.repeat(1_000_000), code: '1' }),
      });
      assert.equal(huge.status, 413);
      assert.deepEqual(
        await (await validate(`typo-${dialect}`, oathtool(key))).json(),
        { result: 'accept' },
        'malformed input did not count',
      );
    });

    it('lets exactly one of 20 simultaneous validations of one code succeed', async () => {
      const { key } = await employee(`race-${dialect}`);
      const code = oathtool(key);
      const answers = await Promise.all(
        Array.from(
          { length: 20 },
          async () => ((await (await validate(`race-${dialect}`, code)).json()) as { result: string }).result,
        ),
      );
      assert.equal(answers.filter((a) => a === 'accept').length, 1);
    });

    it('answers locked after ten wrong codes, while other users are unaffected', async () => {
      const { key } = await employee(`guess-${dialect}`);
      const other = await employee(`bystander-${dialect}`);
      const wrong = oathtool(key) === '000000' ? '111111' : '000000';
      for (let i = 0; i < 10; i++)
        assert.equal(
          ((await (await validate(`guess-${dialect}`, wrong)).json()) as { result: string }).result,
          'reject',
        );
      const locked = (await (await validate(`guess-${dialect}`, oathtool(key))).json()) as {
        result: string;
        retryAfterSeconds: number;
      };
      assert.equal(locked.result, 'locked');
      assert.ok(locked.retryAfterSeconds > 0);
      assert.deepEqual(await (await validate(`bystander-${dialect}`, oathtool(other.key))).json(), {
        result: 'accept',
      });
    });

    it('throttles a caller probing one name with 429 and Retry-After after 30 failures a minute', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await validate(`prober-${dialect}`, String(100000 + i))).status);
      assert.deepEqual(statuses.slice(0, 30), Array(30).fill(200));
      assert.equal(statuses[30], 429);
      const throttled = await validate(`prober-${dialect}`, '123456');
      assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    });

    it('answers exactly 30 of 80 parallel wrong codes for one name, and 429 to the other 50 (T45)', async () => {
      // The limit counts per minute of the clock: a burst that straddles a minute meets two windows, so it is sent
      // again under another name.
      let answers: Array<{ status: number; body: { result?: string; code?: string }; retryAfter: string | null }> = [];
      for (let round = 0; round < 3; round++) {
        const startedMinute = Math.floor(Date.now() / 60_000);
        answers = await Promise.all(
          Array.from({ length: 80 }, async (_, i) => {
            const response = await validate(`burst-${round}-${dialect}`, String(200000 + i));
            return {
              status: response.status,
              body: (await response.json()) as { result?: string; code?: string },
              retryAfter: response.headers.get('retry-after'),
            };
          }),
        );
        if (Math.floor(Date.now() / 60_000) === startedMinute) break;
      }
      assert.equal(answers.filter((a) => a.status === 200 && a.body.result === 'reject').length, 30);
      const throttled = answers.filter((a) => a.status === 429);
      assert.equal(throttled.length, 50);
      assert.ok(throttled.every((a) => a.body.code === 'web.rate_limited' && Number(a.retryAfter) > 0));
    });

    it('refuses a missing, forged, foreign or scope-less token', async () => {
      const { key } = await employee(`auth-${dialect}`);
      const code = oathtool(key);
      const none = await fetch(`${tessera.url}/api/otp/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: `auth-${dialect}`, code }),
      });
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /invalid_token/);
      assert.equal((await validate(`auth-${dialect}`, code, 'garbage')).status, 401);
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ scope: 'otp:validate', client_id: 'webmail-module' })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(tessera.url)
        .setAudience(`${tessera.url}/api`)
        .setExpirationTime('5m')
        .sign(privateKey);
      assert.equal((await validate(`auth-${dialect}`, code, forged)).status, 401);
      const withoutScope = (await client.clientCredentialsGrant(config, {})).access_token;
      assert.equal((await validate(`auth-${dialect}`, code, withoutScope)).status, 403);
      assert.deepEqual(
        await (await validate(`auth-${dialect}`, code)).json(),
        { result: 'accept' },
        'the refused calls did not use the code up',
      );
    });
  });
}
