// Signing keys are generated on first start, sealed at rest, and rotated by `tessera keys rotate`:
// the new key signs at once, retired keys stay published until every token they signed has expired.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Sealer } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';
import type { SecretStore, StoredSecret } from './store.ts';

export type SigningAlg = 'ES256' | 'RS256';
const algorithms: SigningAlg[] = ['ES256', 'RS256'];
const keyLock = 'signing-keys';

async function generate(alg: SigningAlg): Promise<JWK> {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

async function storeKey(secrets: SecretStore, sealer: Sealer, jwk: JWK, atMs: number) {
  const name = `jwk:${jwk.kid}`;
  await secrets.insert({ name, sealedValue: sealer.seal(JSON.stringify(jwk), name), createdAt: atMs, retiredAt: null });
}

/**
 * Private JWKs for oidc-provider: the newest active key of each algorithm first (it signs), then retired keys
 * that may still verify tokens (younger than `publishRetiredMs`).
 */
export async function loadSigningKeys(
  secrets: SecretStore,
  sealer: Sealer,
  clock: Clock,
  publishRetiredMs: number,
): Promise<JWK[]> {
  const algOf = (r: StoredSecret) => (JSON.parse(sealer.open(r.sealedValue, r.name)) as JWK).alg;
  // Under the cluster's key lock: two nodes starting together must not each make a key the other never reads.
  const rows = await secrets.exclusively(keyLock, async (locked) => {
    const before = await locked.listByPrefix('jwk:');
    const missing = algorithms.filter((alg) => !before.some((r) => r.retiredAt === null && algOf(r) === alg));
    for (const alg of missing) await storeKey(locked, sealer, await generate(alg), clock.now());
    return missing.length ? locked.listByPrefix('jwk:') : before;
  });
  const usable = rows.filter((r) => r.retiredAt === null || r.retiredAt > clock.now() - publishRetiredMs);
  usable.sort((a, b) => Number(a.retiredAt !== null) - Number(b.retiredAt !== null) || b.createdAt - a.createdAt);
  return usable.map((r) => JSON.parse(sealer.open(r.sealedValue, r.name)) as JWK);
}

export async function rotateSigningKeys(secrets: SecretStore, sealer: Sealer, clock: Clock): Promise<string[]> {
  const fresh = await Promise.all(algorithms.map(generate));
  await secrets.exclusively(keyLock, async (locked) => {
    const now = clock.now();
    await locked.retireByPrefix('jwk:', now);
    for (const jwk of fresh) await storeKey(locked, sealer, jwk, now);
  });
  return fresh.map((k) => `${k.alg} ${k.kid}`);
}

/** A named random secret (cookie keys, code pepper), created once and shared by every node through the database. */
export async function loadNamedSecret(
  secrets: SecretStore,
  sealer: Sealer,
  clock: Clock,
  name: string,
): Promise<Buffer> {
  const existing = await secrets.find(name);
  if (existing) return Buffer.from(sealer.open(existing.sealedValue, name), 'base64');
  const value = randomBytes(32);
  const sealedValue = sealer.seal(value.toString('base64'), name);
  await secrets.insertIfAbsent({ name, sealedValue, createdAt: clock.now(), retiredAt: null });
  return loadNamedSecret(secrets, sealer, clock, name);
}

/** The public half of each key, as the JWKS publishes it. */
export function publicJwks(keys: JWK[]): JWK[] {
  return keys.map(({ kty, crv, x, y, n, e, alg, use, kid }) => ({ kty, crv, x, y, n, e, alg, use, kid }));
}
