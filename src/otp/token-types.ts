// What each token type means, in one place, so enrolment, validation and the helpdesk never switch on the type
// (one definition per type behind one interface, as privacyIDEA has one class per token type).
import { createHmac } from 'node:crypto';
import { OtpError } from './errors.ts';
import type { TokenType } from './token.ts';

export interface EnrolmentOptions {
  /** The desktop app's device serial number: its seed only works on that device. */
  deviceSerial?: string;
}

export interface TokenTypeDefinition {
  readonly type: TokenType;
  /** Serial numbers Tessera generates start with this, so the helpdesk tells tokens apart at a glance. */
  readonly serialPrefix: string;
  /** DESIGN.md: "only the last registered software token is valid"; activating one revokes the earlier ones. */
  readonly software: boolean;
  /** Whether a person can enrol this type themselves (hardware tokens are assigned by the helpdesk). */
  readonly selfEnrolled: boolean;
  /** The secret the server keeps, from the seed handed to the person's app. */
  storedSecret(seed: Buffer, options: EnrolmentOptions): Buffer;
  /** Whether the seed shown at enrolment can be shown again while the enrolment waits (the stored secret is the seed). */
  readonly seedIsSecret: boolean;
}

/** Desktop tokens are bound to the device: the seed the app keeps only works with that device's serial number. */
export function bindToDevice(seed: Buffer, deviceSerial: string): Buffer {
  return createHmac('sha256', seed)
    .update(`tessera-desktop:${deviceSerial.trim().toUpperCase()}`)
    .digest()
    .subarray(0, 20);
}

const mobile: TokenTypeDefinition = {
  type: 'mobile',
  serialPrefix: 'TOTM',
  software: true,
  selfEnrolled: true,
  seedIsSecret: true,
  storedSecret: (seed) => seed,
};

const desktop: TokenTypeDefinition = {
  type: 'desktop',
  serialPrefix: 'TOTD',
  software: true,
  selfEnrolled: true,
  seedIsSecret: false,
  storedSecret(seed, options) {
    // T18: the PC app's seed is bound to the device serial; without one there is nothing to bind to.
    const serial = options.deviceSerial?.trim() ?? '';
    if (!/^[\x21-\x7e]{1,64}$/.test(serial)) throw new OtpError('otp.enrolment_invalid');
    return bindToDevice(seed, serial);
  },
};

const hardware: TokenTypeDefinition = {
  type: 'hardware',
  serialPrefix: 'HW',
  software: false,
  selfEnrolled: false,
  seedIsSecret: true,
  storedSecret: (seed) => seed,
};

export const tokenTypes: Readonly<Record<TokenType, TokenTypeDefinition>> = { mobile, desktop, hardware };

export const softwareTypes: TokenType[] = Object.values(tokenTypes)
  .filter((t) => t.software)
  .map((t) => t.type);

/** The definition for a type named by a caller; anything else is refused rather than guessed. */
export function tokenType(name: unknown): TokenTypeDefinition {
  if (typeof name === 'string' && Object.hasOwn(tokenTypes, name)) return tokenTypes[name as TokenType];
  throw new OtpError('otp.enrolment_invalid');
}
