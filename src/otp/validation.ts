// Checking a code against an account's tokens: normalisation, window and drift, single use enforced by the
// database, growing delays and the lock, and resync from two consecutive codes.
import type { AttemptOptions, OtpContext, ReservedFailure } from './context.ts';
import { OtpError } from './errors.ts';
import { normalizeCode } from './policy.ts';
import type { StoredToken } from './store.ts';
import { tokenOf, type OtpToken, type TokenType } from './token.ts';

export interface Accepted {
  serial: string;
  type: TokenType;
}

export interface AccountTokens {
  hasActive: boolean;
  validate(codeInput: unknown, options?: AttemptOptions): Promise<Accepted>;
}

// An account without tokens costs the same work as a real check (a read, a failure reserved, the HMACs of a window,
// an audit row), so neither the answer nor its timing says which accounts have a token.
const decoyId = 'otp-decoy-never-stored';
const decoy = tokenOf(
  {
    id: decoyId,
    accountId: null,
    type: 'mobile',
    serial: decoyId,
    state: 'active',
    algorithm: 'SHA1',
    digits: 6,
    periodSeconds: 30,
    drift: 0,
    lastStep: null,
    failures: 0,
    lockedUntil: 0,
    pendingExpiresAt: null,
    createdAt: 0,
    activatedAt: null,
  },
  Buffer.alloc(20),
);

// Locked tokens stay in: their lock is what the person is told.
const usable = (c: OtpContext, stored: StoredToken[]): OtpToken[] =>
  stored.filter((t) => t.record.state === 'active' || t.record.state === 'locked').map(c.open);

/** Refuses a token that is locked or still delayed: the code is not even looked at (no oracle for a guesser). */
function refuseIfBarred(tokens: OtpToken[], now: number): OtpToken[] {
  const ready = tokens.filter((t) => t.record.state === 'active' && t.record.lockedUntil <= now);
  if (ready.length > 0) return ready;
  const waitsMs = tokens.filter((t) => t.record.state === 'active').map((t) => t.record.lockedUntil - now);
  throw waitsMs.length
    ? new OtpError('otp.throttled', Math.ceil(Math.min(...waitsMs) / 1000))
    : new OtpError('otp.locked');
}

/**
 * Counts a failure on each ready token before any code is compared (T45): racing attempts each take one of the
 * free failures, and those that find none left are refused as a held-back token is, their code never compared.
 */
async function reserve(
  c: OtpContext,
  accountId: string | null,
  ready: OtpToken[],
  now: number,
): Promise<Array<{ token: OtpToken; reserved: ReservedFailure }>> {
  const reserved = (
    await Promise.all(
      ready.map(async (token) => {
        const r = await c.reserveFailure(token.record, now);
        return r && { token, reserved: r };
      }),
    )
  ).filter((r) => r !== undefined);
  if (reserved.length > 0) return reserved;
  // Told what held them back, read again; a success that lifted the hold-back meanwhile still leaves this one out.
  refuseIfBarred(usable(c, typeof accountId === 'string' ? await c.store.listForAccount(accountId) : []), now);
  throw new OtpError('otp.throttled', 1);
}

async function check(
  c: OtpContext,
  accountId: string | null,
  stored: StoredToken[],
  code: string,
  options: AttemptOptions,
): Promise<Accepted> {
  const now = options.atMs ?? c.clock.now();
  const { source } = options;
  const tokens = usable(c, stored);
  if (tokens.length === 0) {
    await c.store.reserveFailure(decoyId, now, []);
    decoy.verify(code, now, c.reach);
    await c.audit({
      action: 'otp.validate',
      subject: typeof accountId === 'string' ? accountId : null,
      outcome: 'wrong_code',
      source,
    });
    throw new OtpError('otp.wrong_code');
  }
  let reserved: Awaited<ReturnType<typeof reserve>>;
  try {
    reserved = await reserve(c, accountId, refuseIfBarred(tokens, now), now);
  } catch (err) {
    if (err instanceof OtpError)
      await c.audit({ action: 'otp.validate', subject: accountId, outcome: err.code.slice(4), source });
    throw err;
  }
  for (const { token, reserved: mine } of reserved) {
    const match = token.verify(code, now, c.reach);
    if (!match) continue;
    // Not the other tokens' failure: their counts are given back whatever this one's outcome.
    await Promise.all(reserved.filter((r) => r.token !== token).map((r) => c.refundFailure(r.reserved)));
    const details = { serial: token.record.serial };
    // Accepting the step clears this token's failures, the one just reserved included.
    if (await c.store.acceptStep(token.record.id, match)) {
      await c.audit({ action: 'otp.validate', subject: accountId, outcome: 'success', source, details });
      return { serial: token.record.serial, type: token.record.type };
    }
    // Another request (maybe on another node) accepted this step or a later one first.
    await c.failureStands(mine, source);
    await c.audit({ action: 'otp.validate', subject: accountId, outcome: 'replayed', source, details });
    throw new OtpError('otp.replayed');
  }
  // A replay (privacyIDEA's "previous otp used again") or a wrong code: both count toward the lock (T13); the
  // person is told which it was, since the replayed code was theirs to know.
  for (const r of reserved) await c.failureStands(r.reserved, source);
  const replayed = reserved.some((r) => r.token.wasUsed(code, now, c.reach));
  await c.audit({
    action: 'otp.validate',
    subject: accountId,
    outcome: replayed ? 'replayed' : 'wrong_code',
    source,
  });
  throw new OtpError(replayed ? 'otp.replayed' : 'otp.wrong_code');
}

function codeChecks(c: OtpContext) {
  return {
    /**
     * Checks a code against the account's active tokens. Succeeds once per step (RFC 6238 §5.2), also when several
     * nodes receive the same code at once. An unknown account answers like a wrong code.
     */
    async validate(accountId: string | null, codeInput: unknown, options: AttemptOptions = {}): Promise<Accepted> {
      const code = normalizeCode(codeInput);
      const stored = typeof accountId === 'string' && accountId !== '' ? await c.store.listForAccount(accountId) : [];
      return check(c, accountId, stored, code, options);
    },

    /**
     * The account's tokens read once, for a request that decides whether to ask for a code and then checks one
     * (a VPN login with password and code in one field): `hasActive` as `hasActiveToken` would answer, and
     * `validate` as `validate` would, from the same read.
     */
    async tokensOf(accountId: string): Promise<AccountTokens> {
      const stored = await c.store.listForAccount(accountId);
      return {
        hasActive: stored.some((t) => t.record.state === 'active'),
        validate: async (codeInput, options = {}) => check(c, accountId, stored, normalizeCode(codeInput), options),
      };
    },
  };
}

function resynchronisation(c: OtpContext) {
  return {
    /**
     * Re-aligns a drifting token from two consecutive codes (RFC 4226 §7.4, RFC 6238 §6), searching wider than
     * validation does; a failed attempt counts toward the lock like a wrong code.
     */
    async resync(
      accountId: string,
      serial: string,
      first: unknown,
      second: unknown,
      options: AttemptOptions = {},
    ): Promise<Accepted> {
      const [a, b] = [normalizeCode(first), normalizeCode(second)];
      const now = options.atMs ?? c.clock.now();
      const stored = typeof serial === 'string' ? await c.store.findBySerial(serial.trim()) : undefined;
      if (
        !stored ||
        typeof accountId !== 'string' ||
        stored.record.accountId !== accountId ||
        (stored.record.state !== 'active' && stored.record.state !== 'locked')
      ) {
        throw new OtpError('otp.serial_unknown');
      }
      const [{ token, reserved }] = await reserve(c, accountId, refuseIfBarred([c.open(stored)], now), now);
      const details = { serial: stored.record.serial };
      const match = token.resync(a, b, now, {
        totpSteps: c.policy.resyncTotpSteps,
        hotpCounters: c.policy.resyncHotpCounters,
      });
      if (!match || !(await c.store.acceptStep(stored.record.id, match))) {
        // Two consecutive codes already used are no guess: only codes that do not line up count as a failure.
        if (match) await c.refundFailure(reserved);
        else await c.failureStands(reserved, options.source);
        await c.audit({
          action: 'otp.resync',
          subject: accountId,
          outcome: 'failure',
          source: options.source,
          details,
        });
        throw new OtpError('otp.resync_failed');
      }
      await c.audit({
        action: 'otp.resync',
        subject: accountId,
        outcome: 'success',
        source: options.source,
        details: { ...details, drift: match.drift },
      });
      return { serial: stored.record.serial, type: stored.record.type };
    },
  };
}

export function validation(c: OtpContext) {
  return { ...codeChecks(c), ...resynchronisation(c) };
}
