// Self-service enrolment as a stored flow: a pending token with an expiry and an attempt count, activated by its
// first valid code. Activating a software token revokes the account's earlier ones in the same transaction.
import { randomUUID } from 'node:crypto';
import { base32Encode } from './base32.ts';
import { sealContext, type AttemptOptions, type OtpContext } from './context.ts';
import { OtpError } from './errors.ts';
import { otpauthUri } from './otpauth.ts';
import { normalizeCode } from './policy.ts';
import type { StoredToken } from './store.ts';
import { describeToken, type Match, type TokenDescription, type TokenRecord } from './token.ts';
import { softwareTypes, tokenType, type EnrolmentOptions } from './token-types.ts';

export interface Enrolment {
  tokenId: string;
  serial: string;
  /** Shown once, as a QR code and as text; never retrievable after activation. */
  otpauthUri: string;
  secretBase32: string;
  expiresAt: number;
}

/**
 * What the person proved before adding or replacing a second factor (DESIGN.md: a factor is changed only with a
 * factor as strong). `first_factor`: the password alone, which registers a first token only; `second_factor`: a
 * code from a token of theirs in this session; `registration`: the registration flow's own proof (directory password,
 * employee ID and an SMS or helpdesk code).
 */
export type FactorProof = 'first_factor' | 'second_factor' | 'registration';

export interface Confirmed {
  token: TokenDescription;
  /** The account's earlier software tokens that stopped working, so the caller can tell the person. */
  revoked: TokenDescription[];
}

// Every authenticator app reads SHA-1, 6 digits and 30 s; Google Authenticator ignores other values in the URI.
const appParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 } as const;

const show = (c: OtpContext, record: TokenRecord, seed: Buffer, accountName: string): Enrolment => ({
  tokenId: record.id,
  serial: record.serial,
  secretBase32: base32Encode(seed),
  expiresAt: record.pendingExpiresAt ?? 0,
  otpauthUri: otpauthUri({ issuer: c.issuerName, accountName, secret: seed, ...appParameters }),
});

// Unknown id, another account's enrolment, one already used or revoked, or expired: one answer (no probing).
const waiting = (stored: StoredToken | undefined, accountId: unknown, atMs: number): stored is StoredToken =>
  !!stored &&
  typeof accountId === 'string' &&
  stored.record.accountId === accountId &&
  stored.record.state === 'pending' &&
  (stored.record.pendingExpiresAt ?? 0) > atMs;

// A person who has a token (active, or locked: a lock is lifted by the helpdesk, not registered around) adds or
// replaces one only with a code from it or the registration flow's proof; the password alone registers a first
// token only (T44: otherwise the password alone would replace the person's second factor).
async function refuseWithoutProof(
  c: OtpContext,
  accountId: string,
  proof: FactorProof,
  action: string,
  source: string | undefined,
): Promise<void> {
  if (proof !== 'first_factor') return;
  const held = (await c.store.listForAccount(accountId)).some(
    (t) => t.record.state === 'active' || t.record.state === 'locked',
  );
  if (!held) return;
  await c.audit({ action, subject: accountId, outcome: 'second_factor_required', source });
  throw new OtpError('otp.second_factor_required');
}

function enrolmentStart(c: OtpContext) {
  return {
    /** Starts an enrolment for a person already signed in (T18); the seed is shown in the returned URI only. */
    async beginEnrolment(
      accountId: string,
      accountName: string,
      type: 'mobile' | 'desktop',
      options: EnrolmentOptions & AttemptOptions & { proof: FactorProof },
    ): Promise<Enrolment> {
      const definition = tokenType(type);
      if (!definition.selfEnrolled || typeof accountId !== 'string' || accountId === '')
        throw new OtpError('otp.enrolment_invalid');
      const now = options.atMs ?? c.clock.now();
      await refuseWithoutProof(c, accountId, options.proof, 'otp.enrol_start', options.source);
      const seed = c.random.bytes(20); // RFC 4226 §4 R6: 160-bit shared secret.
      const secret = definition.storedSecret(seed, options);
      const record: TokenRecord = {
        id: randomUUID(),
        accountId,
        type: definition.type,
        serial: `${definition.serialPrefix}${c.random.bytes(5).toString('hex').toUpperCase()}`,
        state: 'pending',
        ...appParameters,
        drift: 0,
        lastStep: null,
        failures: 0,
        lockedUntil: 0,
        pendingExpiresAt: now + c.policy.enrolmentTtlSeconds * 1000,
        createdAt: now,
        activatedAt: null,
      };
      // 40 random bits make a serial collision practically impossible; should one happen, the person simply retries.
      if (
        !(await c.store.insert({
          record,
          secretSealed: c.sealer.seal(secret.toString('base64'), sealContext(record.id)),
        }))
      ) {
        throw new OtpError('otp.enrolment_invalid');
      }
      await c.audit({
        action: 'otp.enrol_start',
        subject: accountId,
        outcome: 'success',
        source: options.source,
        details: { serial: record.serial, type },
      });
      // The desktop app receives the seed; it derives the bound secret itself from the device serial.
      return show(c, record, seed, accountName);
    },

    /** The QR of an enrolment still waiting for its first code (a wrong first code shows the same QR again). */
    async pendingEnrolment(accountId: string, tokenId: string, accountName: string): Promise<Enrolment | undefined> {
      const stored = typeof tokenId === 'string' ? await c.store.findById(tokenId) : undefined;
      if (!waiting(stored, accountId, c.clock.now()) || !tokenType(stored.record.type).seedIsSecret) return undefined;
      return show(c, stored.record, c.secretOf(stored), accountName);
    },
  };
}

/** The enrolment's first code matched: the token becomes active and, if software, replaces the earlier ones. */
async function activateEnrolled(
  c: OtpContext,
  accountId: string,
  stored: StoredToken,
  match: Match,
  now: number,
  options: AttemptOptions & { proof: FactorProof },
): Promise<Confirmed> {
  // DESIGN.md: "only the last registered software token is valid"; hardware tokens keep working beside it.
  const replaces = tokenType(stored.record.type).software ? softwareTypes : [];
  // Checked again where the token is activated, in the same transaction: a registration begun before the person
  // had a token must not, confirmed after theirs, replace it with the password alone.
  const revoked = await c.store.activate(stored.record.id, match, now, replaces, {
    onlyFirst: options.proof === 'first_factor',
  });
  if (revoked === 'has_token') {
    await c.audit({
      action: 'otp.enrol',
      subject: accountId,
      outcome: 'second_factor_required',
      source: options.source,
      details: { serial: stored.record.serial },
    });
    throw new OtpError('otp.second_factor_required');
  }
  if (!revoked) throw new OtpError('otp.enrolment_invalid');
  const serials = revoked.map((r) => r.serial);
  await c.audit({
    action: 'otp.enrol',
    subject: accountId,
    outcome: 'success',
    source: options.source,
    details: { serial: stored.record.serial, revoked: serials },
  });
  const token = describeToken({
    ...stored.record,
    state: 'active',
    activatedAt: now,
    lastStep: match.step,
    drift: match.drift,
    failures: 0,
    pendingExpiresAt: null,
  });
  return { token, revoked: revoked.map(describeToken) };
}

function enrolmentConfirmation(c: OtpContext) {
  return {
    /** Activates the token with its first code; the account's earlier software tokens stop working at once (T17). */
    async confirmEnrolment(
      accountId: string,
      tokenId: string,
      codeInput: unknown,
      options: AttemptOptions & { proof: FactorProof },
    ): Promise<Confirmed> {
      const code = normalizeCode(codeInput);
      const now = options.atMs ?? c.clock.now();
      const stored = typeof tokenId === 'string' ? await c.store.findById(tokenId) : undefined;
      // The attempt is counted before the code is compared (T45): parallel guesses at a first code get no more tries.
      if (
        !waiting(stored, accountId, now) ||
        !(await c.store.reserveEnrolmentAttempt(stored.record.id, c.policy.enrolmentMaxAttempts))
      ) {
        await c.audit({
          action: 'otp.enrol',
          subject: typeof accountId === 'string' ? accountId : null,
          outcome: 'invalid',
          source: options.source,
        });
        throw new OtpError('otp.enrolment_invalid');
      }
      const match = c.open(stored).verify(code, now, c.reach);
      if (!match) {
        await c.audit({
          action: 'otp.enrol',
          subject: accountId,
          outcome: 'wrong_code',
          source: options.source,
          details: { serial: stored.record.serial },
        });
        throw new OtpError('otp.wrong_code');
      }
      return activateEnrolled(c, accountId, stored, match, now, options);
    },
  };
}

export function enrolment(c: OtpContext) {
  return { ...enrolmentStart(c), ...enrolmentConfirmation(c) };
}
