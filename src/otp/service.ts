// Enrolment, validation, resync and the helpdesk's token operations. Takes its store, sealer, clock and random
// source as arguments; knows nothing of HTTP, RADIUS or SQL.
import { createHmac, randomUUID } from 'node:crypto';
import type { Clock, Random } from '../clock/index.ts';
import type { Sealer } from '../store/index.ts';
import { base32Encode } from './base32.ts';
import { OtpError } from './errors.ts';
import type { OtpAlgorithm } from './hotp.ts';
import { otpauthUri } from './otpauth.ts';
import type { OtpStore, StoredToken } from './store.ts';
import { tokenOf, type OtpToken, type TokenDescription, type TokenRecord, type TokenType } from './token.ts';

export interface OtpPolicy {
  /** Accepted steps either side of the expected one (RFC 6238 §5.2 suggests at most one). */
  windowSteps: number;
  /** Consecutive failures before delays start; then each failure doubles the delay. */
  freeFailures: number;
  /** NIST SP 800-63B §3.2.2: locked at the latest after this many consecutive failures. */
  maxFailures: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** How long a started enrolment waits for its first code. */
  enrolmentTtlSeconds: number;
}

export const defaultOtpPolicy: OtpPolicy = { windowSteps: 1, freeFailures: 10, maxFailures: 100, baseDelaySeconds: 30, maxDelaySeconds: 3600, enrolmentTtlSeconds: 600 };

export interface OtpServiceOptions {
  store: OtpStore;
  sealer: Sealer;
  clock: Clock;
  random: Random;
  /** Shown in authenticator apps beside the account name. */
  issuerName: string;
  policy?: Partial<OtpPolicy>;
  audit?: (event: { action: string; subject: string | null; outcome: string; details?: Record<string, unknown> }) => Promise<void>;
}

export interface Enrolment {
  tokenId: string;
  serial: string;
  /** Shown once, as a QR code and as text; never retrievable again. */
  otpauthUri: string;
  secretBase32: string;
}

const sealContext = (tokenId: string) => `otp:${tokenId}`;
const serialPrefix: Record<TokenType, string> = { mobile: 'TOTM', desktop: 'TOTD', hardware: 'HW' };
// Same work as a real check for an account without tokens, so timing does not say which accounts have one.
const decoy = tokenOf({ id: 'decoy', accountId: null, type: 'mobile', serial: 'decoy', state: 'active', algorithm: 'SHA1', digits: 6, periodSeconds: 30, drift: 0, lastStep: null, failures: 0, lockedUntil: 0, pendingExpiresAt: null, createdAt: 0, activatedAt: null }, Buffer.alloc(20));

/** Desktop tokens are bound to the device: the seed the app keeps only works with that device's serial number. */
export function bindToDevice(seed: Buffer, deviceSerial: string): Buffer {
  return createHmac('sha256', seed).update(`tessera-desktop:${deviceSerial.trim().toUpperCase()}`).digest().subarray(0, 20);
}

export function normalizeCode(input: unknown, digits: number[] = [6, 8]): string {
  // ASCII digits only: a code typed with other scripts' digits (e.g. Arabic-Indic) is refused, not converted.
  if (typeof input !== 'string') throw new OtpError('otp.malformed');
  const code = input.replace(/[\s-]/g, '');
  if (!/^[0-9]+$/.test(code) || !digits.includes(code.length)) throw new OtpError('otp.malformed');
  return code;
}

export function createOtpService(o: OtpServiceOptions) {
  const policy = { ...defaultOtpPolicy, ...o.policy };
  const { store, sealer, clock } = o;
  const audit = o.audit ?? (async () => {});
  // Opening a sealed secret is the costliest step of a validation; an opened one is kept by its sealed form, so a
  // re-sealed or deleted token is never served from here.
  const opened = new Map<string, Buffer>();
  const secretOf = (t: StoredToken) => {
    let secret = opened.get(t.secretSealed);
    if (!secret) {
      secret = Buffer.from(sealer.open(t.secretSealed, sealContext(t.record.id)), 'base64');
      if (opened.size >= 10_000) opened.clear();
      opened.set(t.secretSealed, secret);
    }
    return secret;
  };
  const open = (t: StoredToken): OtpToken => tokenOf(t.record, secretOf(t));
  const newSerial = (type: TokenType) => `${serialPrefix[type]}${o.random.bytes(5).toString('hex').toUpperCase()}`;

  async function countFailure(token: TokenRecord): Promise<void> {
    const failures = await store.recordFailure(token.id);
    if (failures >= policy.maxFailures) {
      await store.setLock(token.id, 0, true);
      await audit({ action: 'otp.lock', subject: token.accountId, outcome: 'locked', details: { serial: token.serial, failures } });
    } else if (failures >= policy.freeFailures) {
      const delay = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (failures - policy.freeFailures));
      await store.setLock(token.id, clock.now() + delay * 1000, false);
    }
  }

  async function usableTokens(accountId: string): Promise<OtpToken[]> {
    return (await store.listForAccount(accountId)).filter((t) => t.record.state === 'active' || t.record.state === 'locked').map(open);
  }

  return {
    policy,

    async hasActiveToken(accountId: string): Promise<boolean> {
      return (await store.listForAccount(accountId)).some((t) => t.record.state === 'active');
    },

    async list(accountId: string): Promise<TokenDescription[]> {
      return (await store.listForAccount(accountId)).map((t) => tokenOf(t.record, Buffer.alloc(0)).describe());
    },

    async beginEnrolment(accountId: string, accountName: string, type: 'mobile' | 'desktop', options: { deviceSerial?: string } = {}): Promise<Enrolment> {
      if (type === 'desktop' && !options.deviceSerial?.trim()) throw new OtpError('otp.enrolment_invalid');
      const id = randomUUID();
      const seed = o.random.bytes(20);
      const secret = type === 'desktop' ? bindToDevice(seed, options.deviceSerial!) : seed;
      const record: TokenRecord = {
        id, accountId, type, serial: newSerial(type), state: 'pending', algorithm: 'SHA1', digits: 6, periodSeconds: 30, drift: 0, lastStep: null,
        failures: 0, lockedUntil: 0, pendingExpiresAt: clock.now() + policy.enrolmentTtlSeconds * 1000, createdAt: clock.now(), activatedAt: null,
      };
      await store.insert({ record, secretSealed: sealer.seal(secret.toString('base64'), sealContext(id)) });
      await audit({ action: 'otp.enrol_start', subject: accountId, outcome: 'success', details: { serial: record.serial, type } });
      // The desktop app receives the seed; it derives the bound secret itself from the device serial.
      return { tokenId: id, serial: record.serial, secretBase32: base32Encode(seed), otpauthUri: otpauthUri({ issuer: o.issuerName, accountName, secret: seed, algorithm: 'SHA1', digits: 6, periodSeconds: 30 }) };
    },

    /** The QR of an enrolment still waiting for its first code (a wrong first code shows the same QR again). */
    async pendingEnrolment(accountId: string, tokenId: string, accountName: string): Promise<Enrolment | undefined> {
      const stored = await store.findById(tokenId);
      if (!stored || stored.record.accountId !== accountId || stored.record.state !== 'pending' || stored.record.type !== 'mobile' || (stored.record.pendingExpiresAt ?? 0) <= clock.now()) return undefined;
      const seed = secretOf(stored);
      return { tokenId, serial: stored.record.serial, secretBase32: base32Encode(seed), otpauthUri: otpauthUri({ issuer: o.issuerName, accountName, secret: seed, algorithm: 'SHA1', digits: 6, periodSeconds: 30 }) };
    },

    /** Activates the token with its first code; the account's earlier software tokens stop working at once. */
    async confirmEnrolment(accountId: string, tokenId: string, codeInput: unknown): Promise<{ token: TokenDescription; revoked: string[] }> {
      const code = normalizeCode(codeInput);
      const stored = await store.findById(tokenId);
      if (!stored || stored.record.accountId !== accountId || stored.record.state !== 'pending' || (stored.record.pendingExpiresAt ?? 0) <= clock.now()) {
        throw new OtpError('otp.enrolment_invalid');
      }
      const token = open(stored);
      const step = token.match(code, clock.now(), policy.windowSteps);
      if (step === undefined) throw new OtpError('otp.wrong_code');
      if (!await store.activate(tokenId, step, token.driftAt(step, clock.now()), clock.now())) throw new OtpError('otp.enrolment_invalid');
      // "Only the last registered software token is valid" (FAQ); hardware tokens keep working beside it.
      const revoked = stored.record.type === 'hardware' ? [] : await store.revokeSoftwareExcept(accountId, tokenId, clock.now());
      await audit({ action: 'otp.enrol', subject: accountId, outcome: 'success', details: { serial: stored.record.serial, revoked } });
      return { token: { ...token.describe(), state: 'active' }, revoked };
    },

    /**
     * Checks a code against the account's tokens. Succeeds once per step (RFC 6238 §5.2), also when several nodes
     * receive the same code at once. An unknown account answers like a wrong code.
     */
    async validate(accountId: string | null, codeInput: unknown): Promise<{ serial: string }> {
      const code = normalizeCode(codeInput);
      const now = clock.now();
      const tokens = accountId ? await usableTokens(accountId) : [];
      if (tokens.length === 0) {
        decoy.match(code, now, policy.windowSteps);
        throw new OtpError('otp.wrong_code');
      }
      const ready = tokens.filter((t) => t.record.state === 'active' && t.record.lockedUntil <= now);
      if (ready.length === 0) {
        const waits = tokens.filter((t) => t.record.state === 'active').map((t) => t.record.lockedUntil - now);
        throw waits.length ? new OtpError('otp.throttled', Math.ceil(Math.min(...waits) / 1000)) : new OtpError('otp.locked');
      }
      for (const token of ready) {
        const step = token.match(code, now, policy.windowSteps);
        if (step === undefined) continue;
        if (await store.acceptStep(token.record.id, step, token.driftAt(step, now))) {
          await audit({ action: 'otp.validate', subject: accountId, outcome: 'success', details: { serial: token.record.serial } });
          return { serial: token.record.serial };
        }
        await countFailure(token.record);
        await audit({ action: 'otp.validate', subject: accountId, outcome: 'replayed', details: { serial: token.record.serial } });
        throw new OtpError('otp.replayed');
      }
      // A replay or a wrong code: both count toward the lockout (T13); the person is told which it was.
      for (const token of ready) await countFailure(token.record);
      const replayed = ready.some((t) => t.usedBefore(code, now, policy.windowSteps));
      await audit({ action: 'otp.validate', subject: accountId, outcome: replayed ? 'replayed' : 'wrong_code' });
      throw new OtpError(replayed ? 'otp.replayed' : 'otp.wrong_code');
    },

    /** Two consecutive codes re-align a drifting token (and lift a temporary delay). */
    async resync(accountId: string, serial: string, first: unknown, second: unknown): Promise<void> {
      const [a, b] = [normalizeCode(first), normalizeCode(second)];
      const stored = await store.findBySerial(serial);
      if (!stored || stored.record.accountId !== accountId || stored.record.state === 'revoked' || stored.record.state === 'pending') throw new OtpError('otp.serial_unknown');
      const token = open(stored);
      const step = token.resync(a, b, clock.now());
      if (step === undefined || !await store.acceptStep(stored.record.id, step, token.driftAt(step, clock.now()))) {
        await audit({ action: 'otp.resync', subject: accountId, outcome: 'failure', details: { serial } });
        throw new OtpError('otp.resync_failed');
      }
      await audit({ action: 'otp.resync', subject: accountId, outcome: 'success', details: { serial } });
    },

    /** Hardware tokens arrive with their secrets (e.g. from a PSKC file) and wait, unassigned, for a user. */
    async importHardware(input: { serial: string; secret: Buffer; algorithm?: OtpAlgorithm; digits?: 6 | 8; periodSeconds?: number | null }): Promise<void> {
      const id = randomUUID();
      const record: TokenRecord = {
        id, accountId: null, type: 'hardware', serial: input.serial.trim(), state: 'pending', algorithm: input.algorithm ?? 'SHA1', digits: input.digits ?? 6,
        periodSeconds: input.periodSeconds === undefined ? 30 : input.periodSeconds, drift: 0, lastStep: null, failures: 0, lockedUntil: 0,
        pendingExpiresAt: null, createdAt: clock.now(), activatedAt: null,
      };
      await store.insert({ record, secretSealed: sealer.seal(input.secret.toString('base64'), sealContext(id)) });
    },

    async assignHardware(accountId: string, serial: string): Promise<void> {
      const stored = await store.findBySerial(serial.trim());
      if (!stored || stored.record.type !== 'hardware') throw new OtpError('otp.serial_unknown');
      if (!await store.assign(serial.trim(), accountId, clock.now())) throw new OtpError('otp.serial_taken');
      await audit({ action: 'otp.assign', subject: accountId, outcome: 'success', details: { serial } });
    },

    async unbind(serial: string): Promise<void> {
      const stored = await store.findBySerial(serial.trim());
      if (!stored || !await store.unbind(serial.trim(), clock.now())) throw new OtpError('otp.serial_unknown');
      await audit({ action: 'otp.unbind', subject: stored.record.accountId, outcome: 'success', details: { serial } });
    },

    /** Helpdesk: lifts a lock after the person was identified. */
    async unlock(serial: string): Promise<void> {
      const stored = await store.findBySerial(serial.trim());
      if (!stored || stored.record.state !== 'locked') throw new OtpError('otp.serial_unknown');
      await store.setState(stored.record.id, 'active', clock.now());
      await audit({ action: 'otp.unlock', subject: stored.record.accountId, outcome: 'success', details: { serial } });
    },
  };
}

export type OtpService = ReturnType<typeof createOtpService>;
