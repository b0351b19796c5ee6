// OTP validation through POST /api/otp/validate (token check, user lookup, code check, replay-safe update)
// against an empty Fastify route in the same process: what Tessera adds on top of the HTTP framework itself.
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import * as client from 'openid-client';
import { startTessera } from '../test/support/tessera.ts';
import { createSqlIdentityStore } from '../src/identity/index.ts';
import { hotp } from '../src/otp/index.ts';
import { benchLimits, compare, measure, report, type Outcome } from './load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const concurrency = 16;

export async function benchOtpValidate(): Promise<Outcome> {
  const tessera = await startTessera('sqlite', benchLimits);
  const registered = await tessera.clients.add({
    client_id: 'bench-api',
    client_name: 'Bench',
    redirect_uris: ['https://bench.example/cb'],
    grant_types: ['client_credentials'],
  });
  const config = await client.discovery(
    new URL(tessera.url),
    'bench-api',
    String(registered.client_secret),
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  const token = (await client.clientCredentialsGrant(config, { scope: 'otp:validate' })).access_token;

  // Counter-based hardware tokens: every request can carry a fresh, valid code, so nothing is a replay.
  const identities = createSqlIdentityStore(tessera.store.db);
  const users = await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const id = randomUUID();
      await identities.upsertWorkforceAccount(
        {
          id,
          kind: 'workforce',
          email: null,
          emailVerified: false,
          directoryId: id,
          username: `bench${i}`,
          groups: [],
          passwordHash: null,
          name: null,
          status: 'active',
          createdAt: 0,
        },
        0,
      );
      const secret = randomBytes(20);
      const serial = `BENCH${i}${randomBytes(3).toString('hex')}`;
      await tessera.otp.importHardware({ serial, secret, periodSeconds: null });
      await tessera.otp.assignHardware(id, serial);
      // A KeyObject: the load generator's own HMAC should cost it as little as Node allows.
      return { name: `bench${i}`, secret: createSecretKey(secret), counter: 0, busy: false };
    }),
  );

  const empty = Fastify();
  empty.post('/api/otp/validate', async () => ({ result: 'accept' }));
  await empty.listen({ port: 0, host: '127.0.0.1' });
  const emptyUrl = `http://127.0.0.1:${(empty.server.address() as { port: number }).port}/api/otp/validate`;

  const post = async (url: string, user: string, code: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user, code }),
    });
    const answer = (await response.json()) as { result: string };
    if (answer.result !== 'accept') throw new Error(`answered ${JSON.stringify(answer)}`);
  };
  const nextUser = () => {
    const user = users.find((u) => !u.busy)!;
    user.busy = true;
    return user;
  };
  const result = await compare(
    () =>
      measure(
        'Tessera /api/otp/validate',
        async () => {
          const user = nextUser();
          try {
            await post(
              `${tessera.url}/api/otp/validate`,
              user.name,
              hotp(user.secret, ++user.counter, { algorithm: 'SHA1', digits: 6 }),
            );
          } finally {
            user.busy = false;
          }
        },
        { concurrency, durationMs },
      ),
    () => measure('empty Fastify route', () => post(emptyUrl, 'bench0', '123456'), { concurrency, durationMs }),
    rounds,
  );
  await empty.close();
  await tessera.stop();
  return report('OTP validations', 0.4, result);
}
