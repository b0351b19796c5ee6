// Signing keys are generated on first start, sealed at rest, and rotated by `tessera keys rotate`. Each algorithm has
// a key that signs and a "next" key that is published (JWKS, and accepted when verifying) but does not sign yet: a
// rotation makes the next key sign, so every node of a cluster already verifies a key before any node signs with it.
// Retired keys stay published until every token they signed has expired.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Sealer } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';
import { TesseraError } from '../errors/index.ts';
import type { SecretStore, StoredSecret } from './store.ts';

export type SigningAlg = 'ES256' | 'RS256';
const algorithms: SigningAlg[] = ['ES256', 'RS256'];
const keyLock = 'signing-keys';

export class SigningKeyError extends TesseraError<'keys.next_too_new'> {
  constructor(code: SigningKeyError['code'], message: string) {
    super(code, { message });
  }
}

async function generate(alg: SigningAlg): Promise<JWK> {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

async function storeKey(secrets: SecretStore, sealer: Sealer, jwk: JWK, atMs: number, signing: boolean) {
  const name = `jwk:${jwk.kid}`;
  await secrets.insert({
    name,
    sealedValue: sealer.seal(JSON.stringify(jwk), name),
    createdAt: atMs,
    retiredAt: null,
    activatedAt: signing ? atMs : null,
  });
}

const isNext = (r: StoredSecret) => r.retiredAt === null && (r.activatedAt ?? null) === null;
const isSigning = (r: StoredSecret) => r.retiredAt === null && (r.activatedAt ?? null) !== null;

/** Makes what is missing: a signing key (a database without keys cannot wait) and a next key of each algorithm. */
async function ensureKeys(locked: SecretStore, sealer: Sealer, clock: Clock): Promise<StoredSecret[]> {
  const algOf = (r: StoredSecret) => (JSON.parse(sealer.open(r.sealedValue, r.name)) as JWK).alg;
  const before = await locked.listByPrefix('jwk:');
  let made = false;
  for (const alg of algorithms) {
    for (const [wanted, signing] of [
      [isSigning, true],
      [isNext, false],
    ] as const) {
      if (before.some((r) => wanted(r) && algOf(r) === alg)) continue;
      await storeKey(locked, sealer, await generate(alg), clock.now(), signing);
      made = true;
    }
  }
  return made ? locked.listByPrefix('jwk:') : before;
}

/**
 * Private JWKs for oidc-provider: the signing key of each algorithm first, then the next keys and the retired keys
 * that may still verify tokens (younger than `publishRetiredMs`), marked verify-only so oidc-provider never signs
 * with them.
 */
export async function loadSigningKeys(
  secrets: SecretStore,
  sealer: Sealer,
  clock: Clock,
  publishRetiredMs: number,
): Promise<JWK[]> {
  // Under the cluster's key lock: two nodes starting together must not each make a key the other never reads.
  const rows = await secrets.exclusively(keyLock, (locked) => ensureKeys(locked, sealer, clock));
  const rank = (r: StoredSecret) => (isSigning(r) ? 0 : isNext(r) ? 1 : 2);
  const usable = rows.filter((r) => r.retiredAt === null || r.retiredAt > clock.now() - publishRetiredMs);
  usable.sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt);
  return usable.map((r) => {
    const jwk = JSON.parse(sealer.open(r.sealedValue, r.name)) as JWK;
    return isSigning(r) ? jwk : { ...jwk, key_ops: ['verify'] };
  });
}

/**
 * The next keys sign from now on, the signing ones retire (still published), and new next keys are made. A next key
 * younger than `publishedForMs` (the cluster's backstop period) may not be known to every node yet: refused unless
 * `force` (an emergency; a node that missed the notice then rejects the new key's tokens until it reloads).
 */
export async function rotateSigningKeys(
  secrets: SecretStore,
  sealer: Sealer,
  clock: Clock,
  options: { publishedForMs: number; force?: boolean } = { publishedForMs: 0 },
): Promise<string[]> {
  const fresh = await Promise.all(algorithms.map(generate));
  return secrets.exclusively(keyLock, async (locked) => {
    const rows = await ensureKeys(locked, sealer, clock);
    const now = clock.now();
    const next = rows.filter(isNext);
    const youngest = Math.max(...next.map((r) => r.createdAt));
    if (!options.force && now - youngest < options.publishedForMs) {
      const wait = Math.ceil((options.publishedForMs - (now - youngest)) / 1000);
      throw new SigningKeyError(
        'keys.next_too_new',
        `the next keys were published ${Math.floor((now - youngest) / 1000)} s ago; every node is sure to ` +
          `publish them after cluster.backstopSeconds: rotate again in ${wait} s (or --force, see the README)`,
      );
    }
    for (const r of rows.filter(isSigning)) await locked.update(r.name, { retiredAt: now });
    for (const r of next) await locked.update(r.name, { activatedAt: now });
    for (const jwk of fresh) await storeKey(locked, sealer, jwk, now, false);
    return next.map((r) => {
      const jwk = JSON.parse(sealer.open(r.sealedValue, r.name)) as JWK;
      return `${jwk.alg} ${jwk.kid} signs`;
    });
  });
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
  return keys.map(({ kty, crv, x, y, n, e, alg, use, kid, key_ops }) => ({
    kty,
    crv,
    x,
    y,
    n,
    e,
    alg,
    use,
    kid,
    ...(key_ops ? { key_ops } : {}),
  }));
}
