// The OTP rules a deployment may tune, each with its default and why (config.ts feeds the tunable ones).
import { OtpError } from './errors.ts';

export interface OtpPolicy {
  /** RFC 6238 §5.2: accepted time steps either side of the expected one; at most one is recommended. */
  windowSteps: number;
  /** RFC 4226 §7.4: HOTP counters tried after the last accepted one (T16: at most 10). */
  hotpLookAhead: number;
  /** Resync searches this many time steps either side of now (120 × 30 s = one hour of clock drift). */
  resyncTotpSteps: number;
  /** Resync searches this many counters after the last accepted one (a hardware token pressed in a pocket). */
  resyncHotpCounters: number;
  /** Consecutive failures before delays start; then each failure doubles the delay. */
  freeFailures: number;
  /** NIST SP 800-63B §3.2.2: locked at the latest after this many consecutive failures. */
  maxFailures: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** How long a started enrolment waits for its first code (ASVS V6.5.5 style short life). */
  enrolmentTtlSeconds: number;
  /** Wrong first codes an enrolment takes before it must be started again (T18: throttled). */
  enrolmentMaxAttempts: number;
}

export const defaultOtpPolicy: Readonly<OtpPolicy> = {
  windowSteps: 1,
  hotpLookAhead: 10,
  resyncTotpSteps: 120,
  resyncHotpCounters: 100,
  freeFailures: 10,
  maxFailures: 100,
  baseDelaySeconds: 30,
  maxDelaySeconds: 3600,
  enrolmentTtlSeconds: 600,
  enrolmentMaxAttempts: 10,
};

/** Merges a deployment's choices over the defaults; a value that would weaken a rule fails at start, naming it. */
export function otpPolicy(overrides: Partial<OtpPolicy> = {}): OtpPolicy {
  const p: OtpPolicy = { ...defaultOtpPolicy };
  for (const [key, value] of Object.entries(overrides))
    if (value !== undefined && key in p) p[key as keyof OtpPolicy] = value;
  const ranges: Record<keyof OtpPolicy, [number, number]> = {
    windowSteps: [0, 3],
    hotpLookAhead: [1, 10],
    resyncTotpSteps: [1, 2880],
    resyncHotpCounters: [1, 1000],
    freeFailures: [1, p.maxFailures],
    maxFailures: [1, 100],
    baseDelaySeconds: [1, 86_400],
    maxDelaySeconds: [p.baseDelaySeconds, 86_400],
    enrolmentTtlSeconds: [30, 3600],
    enrolmentMaxAttempts: [1, 100],
  };
  for (const [key, [min, max]] of Object.entries(ranges)) {
    const value = p[key as keyof OtpPolicy];
    if (!Number.isInteger(value) || value < min || value > max)
      throw new RangeError(`otp.${key} must be an integer from ${min} to ${max}`);
  }
  return p;
}

// Long enough for an 8-digit code typed as "1234 5678"; anything longer is refused before any work is done.
const maxInputLength = 32;

/** A typed code as ASCII digits of an accepted length, or `otp.malformed`. */
export function normalizeCode(input: unknown, digits: readonly number[] = [6, 8]): string {
  // ASCII digits only: a code typed with other scripts' digits (e.g. Arabic-Indic, full-width) is refused, not
  // converted; spaces and dashes people type between groups are dropped.
  if (typeof input !== 'string' || input.length > maxInputLength) throw new OtpError('otp.malformed');
  const code = input.replace(/[ \t-]/g, '');
  if (!/^[0-9]+$/.test(code) || !digits.includes(code.length)) throw new OtpError('otp.malformed');
  return code;
}
