// The IdP's signing keys: RSA 2048 with a self-signed certificate, made on first start and sealed at rest. The
// metadata publishes the `current` key (it signs) and a `next` one, so SPs that read the metadata trust the next
// key before `tessera saml keys rotate` makes it sign (a rollover without a flag day).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { Sealer } from '../store/index.ts';
import { selfSignedCertificate } from './certificate.ts';
import type { SamlStore, StoredKey } from './store.ts';

export interface SigningKey {
  id: string;
  privateKeyPem: string;
  /** The same key parsed once: signing with a PEM parses it again every time (three times the cost of a signature). */
  privateKey: KeyObject;
  certificatePem: string;
}

export interface IdpKeys {
  /** Signs every response and assertion. */
  current: SigningKey;
  /** Published ahead of the rollover. */
  next: SigningKey;
}

const sealContext = (id: string) => `saml-key:${id}`;

function newKey(state: 'current' | 'next', subject: string, sealer: Sealer, atMs: number): StoredKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const id = randomBytes(12).toString('base64url');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    id,
    state,
    privateKeySealed: sealer.seal(pem, sealContext(id)),
    // Ten years: SAML SPs pin the certificate itself; its dates are not what ends its use, a rotation is.
    certificate: selfSignedCertificate(privateKey, publicKey, subject, new Date(atMs), 3650),
    createdAt: atMs,
  };
}

function open(key: StoredKey, sealer: Sealer): SigningKey {
  const privateKeyPem = sealer.open(key.privateKeySealed, sealContext(key.id));
  const privateKey = createPrivateKey(privateKeyPem);
  // The pair must match: a certificate for another key would publish a key that verifies nothing.
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const certified = createPublicKey(key.certificate).export({ type: 'spki', format: 'der' });
  if (!derived.equals(certified)) throw new Error(`SAML key ${key.id}: the certificate is for another key`);
  return { id: key.id, privateKeyPem, privateKey, certificatePem: key.certificate };
}

export function createKeyRing(store: SamlStore, sealer: Sealer, clock: Clock, subject: string, recentMs = 1000) {
  // Every answer is signed: the keys read in the last `recentMs` are reused (a rotation by another process or node
  // arrives by `forget`, from the change feed; `recentMs` is the backstop), and a key is opened (unsealed, checked
  // against its certificate) once per process.
  const opened = new Map<string, SigningKey>();
  let recent: { keys: IdpKeys; readAtMs: number } | undefined;
  const openOnce = (key: StoredKey) => {
    let hit = opened.get(key.id);
    if (!hit) {
      hit = open(key, sealer);
      opened.set(key.id, hit);
    }
    return hit;
  };

  async function ensure(): Promise<StoredKey[]> {
    let keys = await store.activeKeys();
    for (const state of ['current', 'next'] as const) {
      if (!keys.some((k) => k.state === state)) await store.insertKey(newKey(state, subject, sealer, clock.now()));
    }
    keys = await store.activeKeys();
    return keys;
  }

  return {
    /** Reads the keys again at their next use (another process rotated them). */
    forget(): void {
      recent = undefined;
    },
    /** The keys in force, made on first use; of two nodes making them at once, the oldest of each state wins. */
    /** `fresh`: read now (the metadata), else what was read lately (signing every answer). */
    async load(options: { fresh?: boolean } = {}): Promise<IdpKeys> {
      const now = clock.now();
      if (!options.fresh && recent && now - recent.readAtMs < recentMs && now >= recent.readAtMs) return recent.keys;
      const keys = await ensure();
      const current = keys.find((k) => k.state === 'current')!;
      const next = keys.find((k) => k.state === 'next')!;
      recent = { keys: { current: openOnce(current), next: openOnce(next) }, readAtMs: now };
      return recent.keys;
    },
    /** The next key signs from now on, the current one retires, a new next one is published. */
    async rotate(): Promise<IdpKeys> {
      const keys = await ensure();
      const now = clock.now();
      for (const k of keys.filter((x) => x.state === 'current')) await store.setKeyState(k.id, 'retired', now);
      for (const k of keys.filter((x) => x.state === 'next')) await store.setKeyState(k.id, 'current', now);
      await store.insertKey(newKey('next', subject, sealer, now));
      recent = undefined;
      return this.load();
    },
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
