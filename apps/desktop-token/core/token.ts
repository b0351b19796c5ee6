// The desktop token on one PC: its vault file, the device's serial, the PIN's rules and the codes, as one object the
// app's CLI and local page both use. Wrong PINs are counted in the file before the PIN is tried (a process killed
// mid-check still counts), under an exclusive lock so two windows at once cannot share a try.
import { randomBytes } from 'node:crypto';
import { base32Decode } from '../../../src/otp/index.ts';
import { codeAt, effectiveSecret, serialHash, type CurrentCode } from './device.ts';
import { TokenError } from './errors.ts';
import { readSerial, type SerialPorts, type SerialReading } from './serial.ts';
import {
  checkPin,
  createVault,
  delayAfter,
  maxWrongPins,
  parseVault,
  rewrap,
  unlock,
  type ErasedVault,
  type KdfParameters,
  type VaultContents,
  type VaultFileV1,
} from './vault.ts';

export interface VaultStore {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  remove(): Promise<void>;
  /** Runs `fn` while no other process of the app changes the vault. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export interface TokenPorts {
  store: VaultStore;
  serial: SerialPorts;
  now(): number;
  kdf?: KdfParameters;
}

/** An unlocked token: what the app shows, and the secret its codes come from (kept in memory only). */
export interface OpenToken {
  contents: VaultContents;
  serial: SerialReading;
  code(atMs: number): CurrentCode;
  /** The data key, for a PIN change in the same session. */
  dataKey: Buffer;
}

/** A registration in progress: the salt and hash to send, and how the serial was read. */
export interface DeviceProof {
  deviceSalt: Buffer;
  serialHash: string;
  serial: SerialReading;
}

const erased = (now: number): ErasedVault => ({ format: 'tessera-desktop-token-vault', erased: true, erasedAt: now });

export function createDesktopToken(p: TokenPorts) {
  async function load(): Promise<VaultFileV1> {
    const text = await p.store.read();
    if (text === undefined) throw new TokenError('vault.missing');
    const vault = parseVault(text);
    if ('erased' in vault) throw new TokenError('vault.erased');
    return vault;
  }
  const save = (vault: VaultFileV1 | ErasedVault) => p.store.write(`${JSON.stringify(vault, null, 2)}\n`);

  /** Checks the PIN, counting a wrong one (and erasing the vault at the tenth in a row); under the store's lock. */
  async function tryPin(pin: string): Promise<{ vault: VaultFileV1; dataKey: Buffer; contents: VaultContents }> {
    const vault = await load();
    const now = p.now();
    const waitMs = vault.lastFailureAt + delayAfter(vault.failures) * 1000 - now;
    if (vault.failures > 0 && waitMs > 0)
      throw new TokenError('vault.wait', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    const failures = vault.failures + 1;
    await save({ ...vault, failures, lastFailureAt: now });
    const serial = await readSerial(p.serial, vault.serialSource);
    const opened = await unlock(vault, pin, serialHash(Buffer.from(vault.deviceSalt, 'base64'), serial.serial));
    if (opened) {
      const reset = { ...vault, failures: 0, lastFailureAt: 0 };
      await save(reset);
      return { vault: reset, ...opened };
    }
    if (failures >= maxWrongPins) {
      await save(erased(now));
      throw new TokenError('vault.erased');
    }
    throw new TokenError('vault.wrong_pin', {
      triesLeft: maxWrongPins - failures,
      retryAfterSeconds: delayAfter(failures),
    });
  }

  return {
    /** Whether this PC has a token, had one erased, or has none. */
    async state(): Promise<'ready' | 'erased' | 'none'> {
      const text = await p.store.read();
      if (text === undefined) return 'none';
      return 'erased' in parseVault(text) ? 'erased' : 'ready';
    },

    /** Wrong PINs so far and the seconds to wait before the next try, without trying one. */
    async pinState(): Promise<{ failures: number; triesLeft: number; waitSeconds: number }> {
      const vault = await load();
      const waitMs = vault.lastFailureAt + delayAfter(vault.failures) * 1000 - p.now();
      const waitSeconds = vault.failures > 0 && waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
      return { failures: vault.failures, triesLeft: maxWrongPins - vault.failures, waitSeconds };
    },

    /** The serial hash to register with: a new salt each registration, the serial read the usual way. */
    async deviceProof(): Promise<DeviceProof> {
      const serial = await readSerial(p.serial);
      const deviceSalt = randomBytes(16);
      return { deviceSalt, serial, serialHash: serialHash(deviceSalt, serial.serial) };
    },

    /**
     * The registered token, sealed under the new PIN, replacing whatever vault was there once `confirm` (the
     * server's activation) succeeds; when it fails, the earlier vault is put back as it was.
     */
    async store<T>(contents: VaultContents, pin: string, proof: DeviceProof, confirm?: () => Promise<T>) {
      checkPin(pin);
      const vault = await createVault({
        contents,
        pin,
        deviceSalt: proof.deviceSalt,
        serialSource: proof.serial.source,
        serialHash: proof.serialHash,
        kdf: p.kdf,
      });
      return p.store.exclusive(async () => {
        const before = await p.store.read();
        await save(vault);
        try {
          return await confirm?.();
        } catch (err) {
          if (before === undefined) await p.store.remove();
          else await p.store.write(before);
          throw err;
        }
      });
    },

    async open(pin: string): Promise<OpenToken> {
      const { vault, dataKey, contents } = await p.store.exclusive(() => tryPin(pin));
      const serial = await readSerial(p.serial, vault.serialSource);
      const secret = effectiveSecret(
        base32Decode(contents.seed),
        serialHash(Buffer.from(vault.deviceSalt, 'base64'), serial.serial),
      );
      return { contents, serial, dataKey, code: (atMs) => codeAt(secret, atMs) };
    },

    /** A new PIN: the old one is checked (and counted when wrong); only the data key is wrapped again. */
    async changePin(oldPin: string, newPin: string): Promise<void> {
      checkPin(newPin);
      await p.store.exclusive(async () => {
        const { vault, dataKey } = await tryPin(oldPin);
        const serial = await readSerial(p.serial, vault.serialSource);
        const hash = serialHash(Buffer.from(vault.deviceSalt, 'base64'), serial.serial);
        await save(await rewrap(vault, dataKey, newPin, hash, p.kdf ?? vault.kdf));
      });
    },
  };
}

export type DesktopToken = ReturnType<typeof createDesktopToken>;
