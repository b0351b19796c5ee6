// What the helpdesk and administrators do with tokens: import hardware tokens, assign and unbind them by serial,
// list an account's tokens and lift a lock. Callers check the agent's role; every change is audited.
import { randomUUID } from 'node:crypto';
import { sealContext, type OtpContext } from './context.ts';
import { OtpError } from './errors.ts';
import type { OtpAlgorithm } from './hotp.ts';
import { describeToken, type TokenDescription, type TokenRecord } from './token.ts';

export interface HardwareImport {
  serial: string;
  secret: Buffer;
  algorithm?: OtpAlgorithm;
  digits?: 6 | 8;
  /** 30 or 60 for a TOTP token; null for a counter-based (HOTP) one. */
  periodSeconds?: number | null;
  /** HOTP: the counter of the next code the token shows (a vendor's file may say it was used in the factory). */
  counter?: number;
}

// Serials are printed on the device and typed by the helpdesk: visible ASCII, nothing that needs escaping.
const serialPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const cleanSerial = (serial: unknown): string => {
  const s = typeof serial === 'string' ? serial.trim() : '';
  if (!serialPattern.test(s)) throw new OtpError('otp.serial_unknown');
  return s;
};

/**
 * What importHardware refuses, checked without storing anything: an import file is checked whole before its first
 * token is stored. Returns the token's settings as they will be stored, defaults filled in.
 */
export function checkHardwareImport(
  input: HardwareImport,
): Pick<TokenRecord, 'serial' | 'algorithm' | 'digits' | 'periodSeconds'> {
  const serial = cleanSerial(input.serial);
  const settings = {
    serial,
    algorithm: input.algorithm ?? 'SHA1',
    digits: input.digits ?? 6,
    periodSeconds: input.periodSeconds === undefined ? 30 : input.periodSeconds,
  };
  // RFC 4226 §4 R6: at least 128-bit secrets; RFC 6238 tokens step every 30 or 60 s.
  if (
    !Buffer.isBuffer(input.secret) ||
    input.secret.length < 16 ||
    input.secret.length > 64 ||
    ![6, 8].includes(settings.digits) ||
    ![30, 60, null].includes(settings.periodSeconds) ||
    (input.counter !== undefined && (!Number.isSafeInteger(input.counter) || input.counter < 0)) ||
    !['SHA1', 'SHA256', 'SHA512'].includes(settings.algorithm)
  ) {
    throw new RangeError(
      'hardware token: secret of 16–64 bytes, 6 or 8 digits, a 30 or 60 s period or null, SHA1/SHA256/SHA512',
    );
  }
  return settings;
}

export function admin(c: OtpContext) {
  return {
    /**
     * The account's tokens, described; the secret is never part of a description. A registration still waiting for
     * its first code is not a token yet: the account page and `otp tokens` list only tokens that were activated.
     */
    async list(accountId: string): Promise<TokenDescription[]> {
      const tokens = await c.store.listForAccount(accountId);
      return tokens.filter((t) => t.record.state !== 'pending').map((t) => describeToken(t.record));
    },

    /** Housekeeping: forgets registrations opened and never finished once expired (`enrolmentTtlSeconds`). */
    async forgetExpiredEnrolments(): Promise<number> {
      return c.store.forgetExpiredEnrolments(c.clock.now());
    },

    async hasActiveToken(accountId: string): Promise<boolean> {
      return c.store.hasActive(accountId);
    },

    /** Hardware tokens arrive with their secrets (e.g. from a PSKC file) and wait, unassigned, for a person. */
    async importHardware(input: HardwareImport): Promise<TokenDescription> {
      const settings = checkHardwareImport(input);
      const now = c.clock.now();
      const record: TokenRecord = {
        id: randomUUID(),
        accountId: null,
        type: 'hardware',
        state: 'pending',
        ...settings,
        drift: 0,
        // RFC 4226 §7.2: the server looks from the counter after the last one used.
        lastStep: settings.periodSeconds === null && input.counter ? input.counter - 1 : null,
        failures: 0,
        lockedUntil: 0,
        pendingExpiresAt: null,
        createdAt: now,
        activatedAt: null,
      };
      if (
        !(await c.store.insert({
          record,
          secretSealed: c.sealer.seal(input.secret.toString('base64'), sealContext(record.id)),
        }))
      ) {
        throw new OtpError('otp.serial_taken');
      }
      await c.audit({ action: 'otp.import', subject: null, outcome: 'success', details: { serial: record.serial } });
      return describeToken(record);
    },

    /** T18: a serial owned by someone else is refused; assigning twice to the same person is too. */
    async assignHardware(accountId: string, serialInput: string): Promise<TokenDescription> {
      const serial = cleanSerial(serialInput);
      const stored = await c.store.findBySerial(serial);
      if (stored?.record.type !== 'hardware' || stored.record.state === 'revoked')
        throw new OtpError('otp.serial_unknown');
      if (!(await c.store.assign(serial, accountId, c.clock.now()))) {
        await c.audit({ action: 'otp.assign', subject: accountId, outcome: 'denied', details: { serial } });
        throw new OtpError('otp.serial_taken');
      }
      await c.audit({ action: 'otp.assign', subject: accountId, outcome: 'success', details: { serial } });
      return describeToken({ ...stored.record, accountId, state: 'active', activatedAt: c.clock.now() });
    },

    /** The account holding the token with this serial; undefined when nobody does or no token has it. */
    async ownerOf(serialInput: string): Promise<string | undefined> {
      const serial = typeof serialInput === 'string' ? serialInput.trim() : '';
      if (!serialPattern.test(serial)) return undefined;
      const owner = (await c.store.findBySerial(serial))?.record.accountId;
      return owner ?? undefined;
    },

    /** A lost or returned token stops working at once and leaves the account. */
    async unbind(serialInput: string): Promise<void> {
      const serial = cleanSerial(serialInput);
      const stored = await c.store.findBySerial(serial);
      if (!stored || !(await c.store.unbind(serial, c.clock.now()))) throw new OtpError('otp.serial_unknown');
      await c.audit({
        action: 'otp.unbind',
        subject: stored.record.accountId,
        outcome: 'success',
        details: { serial },
      });
    },

    /** Helpdesk: lifts a lock or a running delay after the person was identified, and clears the failure count. */
    async unlock(serialInput: string): Promise<void> {
      const serial = cleanSerial(serialInput);
      const stored = await c.store.findBySerial(serial);
      const from = stored?.record.state;
      if (
        !stored ||
        (from !== 'locked' && from !== 'active') ||
        !(await c.store.changeState(stored.record.id, from, 'active', c.clock.now()))
      ) {
        throw new OtpError('otp.serial_unknown');
      }
      await c.audit({
        action: 'otp.unlock',
        subject: stored.record.accountId,
        outcome: 'success',
        details: { serial },
      });
    },
  };
}
