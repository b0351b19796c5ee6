// (a) Client-credentials token issuance: Tessera against a bare oidc-provider with the same ES256 key and JWT tokens.
// (b) Password sign-ins through Tessera's sign-in page against the argon2id hashing ceiling of this machine.
import Provider from 'oidc-provider';
import argon2 from 'argon2';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { startTessera } from '../test/support/tessera.ts';
import { benchCustomerSignIns, benchPassword } from './sign-in-pages.ts';
import { argon2Options } from '../src/identity/index.ts';
import { createSqlSecretStore, loadSigningKeys } from '../src/oidc/index.ts';
import { systemClock } from '../src/clock/index.ts';
import { benchLimits, compare, measure, report, type Outcome } from './load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;

export async function benchClientCredentials(): Promise<Outcome> {
  const tessera = await startTessera('sqlite', benchLimits);
  const registered = await tessera.clients.add({
    client_id: 'bench',
    client_name: 'Bench',
    redirect_uris: ['http://127.0.0.1:9/cb'],
    grant_types: ['client_credentials'],
  });
  const keys = await loadSigningKeys(createSqlSecretStore(tessera.store.db), tessera.sealer, systemClock, 0);
  const es256 = keys.find((k) => k.alg === 'ES256')!;

  // The bare library, configured as the docs show for JWT client-credentials tokens, with the same key.
  const bareIssuer = 'http://127.0.0.1';
  const bare = new Provider(bareIssuer, {
    clients: [
      {
        client_id: 'bench',
        client_secret: String(registered.client_secret),
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [es256 as never] },
    features: {
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => `${bareIssuer}/api`,
        getResourceServerInfo: async () => ({
          scope: 'otp:validate',
          audience: `${bareIssuer}/api`,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  const bareServer = createHttpServer(bare.callback());
  await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve));
  const bareToken = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/token`;

  const authorization = `Basic ${Buffer.from(`bench:${registered.client_secret}`).toString('base64')}`;
  const tokenRequest = (url: string) => async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (response.status !== 200)
      throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  const settings = { concurrency: 16, durationMs, warmupMs: 500 };
  const result = await compare(
    () => measure('Tessera', tokenRequest(`${tessera.url}/oidc/token`), settings),
    () => measure('bare oidc-provider', tokenRequest(bareToken), settings),
    rounds,
  );
  bareServer.close();
  await tessera.stop();
  return report('client-credentials tokens', 0.85, result);
}

export async function benchPasswordSignIns(): Promise<Outcome> {
  const tessera = await startTessera('sqlite', benchLimits);
  const pages = await benchCustomerSignIns(tessera);
  const hash = await argon2.hash(benchPassword, argon2Options);
  const concurrency = 8;

  const expected = Math.ceil((durationMs / 1000 + 1) * 200);
  const result = await compare(
    async () => {
      await pages.open(expected);
      return measure('Tessera sign-ins', () => pages.signIn(), { concurrency, durationMs });
    },
    () =>
      measure(
        'argon2id verify',
        async () => {
          if (!(await argon2.verify(hash, benchPassword))) throw new Error('verify failed');
        },
        { concurrency, durationMs },
      ),
    rounds,
  );
  await tessera.stop();
  return report('password sign-ins', 0.9, result);
}
