// Signing keys are generated on first start, sealed at rest, and rotated by `tessera keys rotate`:
// the new key signs at once, retired keys stay published until every token they signed has expired.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database, Sealer } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

export type SigningAlg = 'ES256' | 'RS256';
const algorithms: SigningAlg[] = ['ES256', 'RS256'];

async function generate(alg: SigningAlg): Promise<JWK> {
  const { privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

async function storeKey(db: Kysely<Database>, sealer: Sealer, jwk: JWK, atMs: number) {
  const name = `jwk:${jwk.kid}`;
  await db.insertInto('secrets').values({ name, sealed_value: sealer.seal(JSON.stringify(jwk), name), created_at: atMs, retired_at: null }).execute();
}

/**
 * Private JWKs for oidc-provider: the newest active key of each algorithm first (it signs), then retired keys
 * that may still verify tokens (younger than `publishRetiredMs`).
 */
export async function loadSigningKeys(db: Kysely<Database>, sealer: Sealer, clock: Clock, publishRetiredMs: number): Promise<JWK[]> {
  const read = () => db.selectFrom('secrets').selectAll().where('name', 'like', 'jwk:%').orderBy('created_at', 'desc').execute();
  let rows = await read();
  for (const alg of algorithms) {
    const hasActive = rows.some((r) => r.retired_at === null && (JSON.parse(sealer.open(r.sealed_value, r.name)) as JWK).alg === alg);
    if (!hasActive) await storeKey(db, sealer, await generate(alg), clock.now()).catch(() => {
      // Another node created it at the same moment: the reread below picks theirs up.
    });
  }
  rows = await read();
  const usable = rows.filter((r) => r.retired_at === null || r.retired_at > clock.now() - publishRetiredMs);
  usable.sort((a, b) => Number(a.retired_at !== null) - Number(b.retired_at !== null) || b.created_at - a.created_at);
  return usable.map((r) => JSON.parse(sealer.open(r.sealed_value, r.name)) as JWK);
}

export async function rotateSigningKeys(db: Kysely<Database>, sealer: Sealer, clock: Clock): Promise<string[]> {
  const now = clock.now();
  await db.updateTable('secrets').set({ retired_at: now }).where('name', 'like', 'jwk:%').where('retired_at', 'is', null).execute();
  const fresh = await Promise.all(algorithms.map(generate));
  for (const jwk of fresh) await storeKey(db, sealer, jwk, now);
  return fresh.map((k) => `${k.alg} ${k.kid}`);
}

/** A named random secret (cookie keys, code pepper), created once and shared by every node through the database. */
export async function loadNamedSecret(db: Kysely<Database>, sealer: Sealer, clock: Clock, name: string): Promise<Buffer> {
  const existing = await db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
  if (existing) return Buffer.from(sealer.open(existing.sealed_value, name), 'base64');
  const value = randomBytes(32);
  await db.insertInto('secrets').values({ name, sealed_value: sealer.seal(value.toString('base64'), name), created_at: clock.now(), retired_at: null })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  return loadNamedSecret(db, sealer, clock, name);
}

/** The public half of each key, as the JWKS publishes it. */
export function publicJwks(keys: JWK[]): JWK[] {
  return keys.map(({ kty, crv, x, y, n, e, alg, use, kid }) => ({ kty, crv, x, y, n, e, alg, use, kid }));
}
