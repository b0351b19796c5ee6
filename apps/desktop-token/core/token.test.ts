import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { base32Encode, bindToDevice, totp } from '../../../src/otp/index.ts';
import {
  createDesktopToken,
  fileVaultStore,
  serialHash,
  TokenError,
  type SerialPorts,
  type VaultContents,
} from './index.ts';

const fastKdf = { memoryKiB: 1024, passes: 1, parallelism: 1 };
const seed = Buffer.from('3132333435363738393031323334353637383930', 'hex');
const contents: VaultContents = {
  seed: base32Encode(seed),
  tokenSerial: 'TOTD0123456789',
  server: 'https://id.example.com',
  account: 'jsmith',
  registeredAt: 1_700_000_000_000,
};
const at = 1_800_000_000_000;

function device(serial: string): SerialPorts {
  return {
    platform: 'linux',
    env: {},
    testSwitches: false,
    readFile: async (path) => {
      if (path === '/sys/class/dmi/id/product_serial') return `${serial}\n`;
      throw Object.assign(new Error('no'), { code: 'ENOENT' });
    },
    run: async () => {
      throw new Error('not on linux');
    },
  };
}

describe('the desktop token core', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'desktop-token-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function pc(serial: string, path = join(dir, `vault-${++n}.json`)) {
    const clock = { now: at };
    const token = createDesktopToken({
      store: fileVaultStore(path),
      serial: device(serial),
      now: () => clock.now,
      kdf: fastKdf,
    });
    return { token, path, clock };
  }
  async function registered(serial: string, pin = '246810') {
    const p = pc(serial);
    const proof = await p.token.deviceProof();
    await p.token.store(contents, pin, proof);
    return { ...p, proof };
  }

  it('gives the codes Tessera expects: TOTP over the seed bound to the salted serial hash', async () => {
    const { token, proof } = await registered('PF2ABCDE');
    const open = await token.open('246810');
    assert.equal(proof.serialHash, serialHash(proof.deviceSalt, ' pf2abcde '));
    assert.match(proof.serialHash, /^[0-9a-f]{64}$/);
    const expected = totp(bindToDevice(seed, proof.serialHash), at, {
      algorithm: 'SHA1',
      digits: 6,
      periodSeconds: 30,
    });
    assert.equal(open.code(at).code, expected);
    assert.equal(open.code(at).secondsLeft, 30 - ((at / 1000) % 30));
    assert.notEqual(open.code(at).code, totp(seed, at, { algorithm: 'SHA1', digits: 6, periodSeconds: 30 }));
  });

  it('gives other codes for the same secret with another serial, and another hash with another salt', async () => {
    const salt = Buffer.alloc(16, 7);
    const codes = new Set(
      ['PF2ABCDE', 'PF2ABCDF', 'R90XYZ12'].map((serial) =>
        totp(bindToDevice(seed, serialHash(salt, serial)), at, { algorithm: 'SHA1', digits: 6, periodSeconds: 30 }),
      ),
    );
    assert.equal(codes.size, 3);
    assert.notEqual(serialHash(salt, 'PF2ABCDE'), serialHash(Buffer.alloc(16, 8), 'PF2ABCDE'));
  });

  it('opens nothing on another PC: the copied vault refuses the right PIN there', async () => {
    const { path } = await registered('PF2ABCDE');
    const other = pc('PF2ZZZZZ', join(dir, 'copied.json'));
    await writeFile(other.path, await readFile(path));
    await assert.rejects(other.token.open('246810'), (e: TokenError) => e.code === 'vault.wrong_pin');
    // Back on its own PC the same file (one wrong try counted) still opens.
    const home = pc('PF2ABCDE', other.path);
    await assert.doesNotReject(home.token.open('246810'));
  });

  it('keeps the codes across a PIN change; the old PIN stops working and the sealed token is untouched', async () => {
    const { token, path } = await registered('PF2ABCDE');
    const before = (await token.open('246810')).code(at).code;
    const sealedBefore = JSON.parse(await readFile(path, 'utf8')).token;
    await token.changePin('246810', 'a new PIN 7');
    assert.equal((await token.open('a new PIN 7')).code(at).code, before);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')).token, sealedBefore);
    await assert.rejects(token.open('246810'), (e: TokenError) => e.code === 'vault.wrong_pin');
    await assert.rejects(token.changePin('246810', '999999'), (e: TokenError) => e.code === 'vault.wrong_pin');
  });

  it('refuses a PIN shorter than 6 characters, and a PIN change to one, leaving the old PIN', async () => {
    const p = pc('PF2ABCDE');
    const proof = await p.token.deviceProof();
    await assert.rejects(p.token.store(contents, '12345', proof), (e: TokenError) => e.code === 'vault.weak_pin');
    await p.token.store(contents, '123456', proof);
    await assert.rejects(p.token.changePin('123456', '1234'), (e: TokenError) => e.code === 'vault.weak_pin');
    await assert.doesNotReject(p.token.open('123456'));
  });

  it('never decrypts with a wrong PIN: delays grow, the tries left are said, the tenth erases the vault', async () => {
    const { token, path, clock } = await registered('PF2ABCDE');
    const seen: Array<[number | undefined, number | undefined]> = [];
    for (let i = 1; i <= 9; i++) {
      const err = await token.open(`wrong-${i}`).catch((e: TokenError) => e);
      assert.ok(err instanceof TokenError && err.code === 'vault.wrong_pin', String(err));
      seen.push([err.triesLeft, err.retryAfterSeconds]);
      // The next try before the delay is refused without checking (and without counting).
      if (err.retryAfterSeconds) {
        await assert.rejects(token.open('246810'), (e: TokenError) => e.code === 'vault.wait');
        clock.now += err.retryAfterSeconds * 1000;
      }
    }
    assert.deepEqual(seen, [
      [9, 0],
      [8, 0],
      [7, 2],
      [6, 4],
      [5, 8],
      [4, 16],
      [3, 32],
      [2, 60],
      [1, 60],
    ]);
    assert.deepEqual(await token.pinState(), { failures: 9, triesLeft: 1, waitSeconds: 0 });
    await assert.rejects(token.open('246811'), (e: TokenError) => e.code === 'vault.erased');
    assert.equal(await token.state(), 'erased');
    await assert.rejects(token.open('246810'), (e: TokenError) => e.code === 'vault.erased');
    const left = await readFile(path, 'utf8');
    assert.doesNotMatch(left, /wrappedKey|"token"|deviceSalt/);
  });

  it('resets the count on the right PIN: wrong PINs are counted in a row only', async () => {
    const { token, clock } = await registered('PF2ABCDE');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        await token.open('nope-nope').catch(() => {});
        clock.now += 61_000;
      }
      await token.open('246810');
    }
    assert.deepEqual(await token.pinState(), { failures: 0, triesLeft: 10, waitSeconds: 0 });
  });

  it('counts parallel wrong PINs one by one (no two tries share a count)', async () => {
    const { token } = await registered('PF2ABCDE');
    const results = await Promise.allSettled([1, 2].map((i) => token.open(`wrong-${i}`)));
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.equal((await token.pinState()).failures, 2);
  });

  it('holds no secret in clear: not the seed, the data key, the effective secret, the PIN or the serial', async () => {
    const { token, path, proof } = await registered('PF2ABCDE');
    const open = await token.open('246810');
    const text = await readFile(path, 'utf8');
    // Every base64 field decoded too, so bytes cannot hide in an encoding.
    const decoded = [...text.matchAll(/"([A-Za-z0-9+/=]{8,})"/g)].map((m) => Buffer.from(m[1], 'base64'));
    const blobs = [Buffer.from(text), ...decoded];
    const secrets: Array<[string, Buffer]> = [
      ['seed', seed],
      ['data key', open.dataKey],
      ['effective secret', bindToDevice(seed, proof.serialHash)],
      ['seed in base32', Buffer.from(contents.seed)],
      ['PIN', Buffer.from('246810')],
      ['serial', Buffer.from('PF2ABCDE')],
      ['serial hash', Buffer.from(proof.serialHash)],
      ['account', Buffer.from('jsmith')],
    ];
    for (const [what, bytes] of secrets) {
      // Any 8-byte window of the secret (or all of it, when shorter) found anywhere is a leak.
      const size = Math.min(8, bytes.length);
      for (let i = 0; i + size <= bytes.length; i++) {
        const window = bytes.subarray(i, i + size);
        assert.ok(!blobs.some((b) => b.includes(window)), `${what} found in the vault file`);
      }
    }
    assert.equal((await import('node:fs')).statSync(path).mode & 0o777, 0o600);
  });

  it('says a missing or foreign file plainly', async () => {
    const p = pc('PF2ABCDE');
    assert.equal(await p.token.state(), 'none');
    await assert.rejects(p.token.open('246810'), (e: TokenError) => e.code === 'vault.missing');
    await writeFile(p.path, '{"format":"something else"}');
    await assert.rejects(p.token.open('246810'), (e: TokenError) => e.code === 'vault.unreadable');
    await writeFile(p.path, 'not json');
    await assert.rejects(p.token.open('246810'), (e: TokenError) => e.code === 'vault.unreadable');
  });

  it("refuses a vault whose sealed token was swapped for another vault's (same PIN, same PC)", async () => {
    const a = await registered('PF2ABCDE');
    const b = await registered('PF2ABCDE');
    const va = JSON.parse(await readFile(a.path, 'utf8'));
    const vb = JSON.parse(await readFile(b.path, 'utf8'));
    await writeFile(a.path, JSON.stringify({ ...va, token: vb.token }));
    await assert.rejects(a.token.open('246810'), (e: TokenError) => e.code === 'vault.wrong_pin');
  });

  it('fixes the way the serial is read at registration: the serial read another way later is an error', async () => {
    const p = pc('PF2ABCDE');
    await p.token.store(contents, '246810', await p.token.deviceProof());
    // As another user: the firmware serial is unreadable, the machine id is.
    const unreadable: SerialPorts = {
      ...device(''),
      readFile: async (path) =>
        path === '/etc/machine-id' ? 'machine-id-0123\n' : Promise.reject(new Error('EACCES')),
    };
    const later = createDesktopToken({
      store: fileVaultStore(p.path),
      serial: unreadable,
      now: () => at,
      kdf: fastKdf,
    });
    await assert.rejects(later.open('246810'), (e: TokenError) => e.code === 'serial.unreadable');
  });
});
