// The two-key pattern the edges use: an attempt is counted per account AND per source address, and the stricter
// answer wins. Per account stops a distributed guess at one person; per source stops one address spraying many
// accounts. Both throttle and neither locks for good (NIST SP 800-63B §3.2.2, ASVS V6.3.1, checklist T8): after the
// back-off the real person gets in, and a flood during the back-off does not lengthen it.
import { RateLimitError, type Limit, type LimitDecision, type RateLimiter } from './types.ts';
import { sourceBucket } from './client-address.ts';

export type AttemptAction = 'signin' | 'password_reset' | 'verification_resend' | 'email_change' | 'otp' | 'radius';

export interface AttemptRules {
  perAccount: Limit;
  perSource: Limit;
}

// Per account: few enough that online guessing stays slow (10 per 15 minutes is under 1,000 a day, against a
// password already screened for breached values), short enough that the real person waits minutes, not hours.
// Per source: higher, because offices and mobile carriers put many people behind one address.
// Mail-sending actions are per hour: each one sends a message to a person who may not have asked for it.
export const defaultAttemptRules: Readonly<Record<AttemptAction, AttemptRules>> = {
  signin: { perAccount: { limit: 10, windowSeconds: 900 }, perSource: { limit: 100, windowSeconds: 900 } },
  radius: { perAccount: { limit: 10, windowSeconds: 900 }, perSource: { limit: 300, windowSeconds: 900 } },
  otp: { perAccount: { limit: 10, windowSeconds: 900 }, perSource: { limit: 100, windowSeconds: 900 } },
  password_reset: { perAccount: { limit: 5, windowSeconds: 3600 }, perSource: { limit: 30, windowSeconds: 3600 } },
  verification_resend: { perAccount: { limit: 5, windowSeconds: 3600 }, perSource: { limit: 30, windowSeconds: 3600 } },
  email_change: { perAccount: { limit: 5, windowSeconds: 3600 }, perSource: { limit: 30, windowSeconds: 3600 } },
};

export interface Attempt {
  action: AttemptAction;
  /** The account name as typed; compared without case or Unicode-form differences. */
  account?: string;
  /** The client address from clientAddress(); IPv6 is counted per /64, the block one subscriber usually holds. */
  source?: string;
}

export interface AttemptGuard {
  /** Counts the attempt under each key given; the stricter decision of the two. */
  checkAttempt(attempt: Attempt): Promise<LimitDecision>;
  /** After a success: clears the account's count but not the source's, so a sign-in to one's own account
   *  between guesses at others does not earn the guessing address a fresh allowance. */
  recordSuccess(attempt: Pick<Attempt, 'action' | 'account'>): Promise<void>;
}

/** The counter key of an account for an action: the name as typed, without case or Unicode-form differences. */
export const accountKey = (action: AttemptAction, account: string) => `${action}:account:${account.normalize('NFC').trim().toLowerCase()}`;
const sourceKey = (action: AttemptAction, source: string) => `${action}:source:${sourceBucket(source)}`;

export function createAttemptGuard(limiter: RateLimiter, rules: Partial<Record<AttemptAction, AttemptRules>> = {}): AttemptGuard {
  const all: Record<string, AttemptRules> = { ...defaultAttemptRules, ...rules };
  const rulesFor = (action: unknown): AttemptRules => {
    if (typeof action !== 'string' || !Object.hasOwn(all, action)) throw new RateLimitError('ratelimit.invalid_rule');
    return all[action];
  };
  const present = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

  return {
    async checkAttempt(attempt) {
      const r = rulesFor(attempt.action);
      const hasAccount = present(attempt.account);
      const hasSource = present(attempt.source);
      // Nothing to count is a bug at the edge, not a free pass.
      if (!hasAccount && !hasSource) throw new RateLimitError('ratelimit.invalid_key');
      const decisions = await Promise.all([
        hasAccount ? limiter.consume(accountKey(attempt.action, attempt.account as string), r.perAccount) : undefined,
        hasSource ? limiter.consume(sourceKey(attempt.action, attempt.source as string), r.perSource) : undefined,
      ]);
      return stricter(decisions.filter((d): d is LimitDecision => d !== undefined));
    },

    async recordSuccess(attempt) {
      rulesFor(attempt.action);
      if (present(attempt.account)) await limiter.reset(accountKey(attempt.action, attempt.account));
    },
  };
}

function stricter(decisions: LimitDecision[]): LimitDecision {
  const refused = decisions.filter((d) => !d.allowed);
  return {
    allowed: refused.length === 0,
    remaining: Math.min(...decisions.map((d) => d.remaining)),
    retryAfterSeconds: refused.length ? Math.max(...refused.map((d) => d.retryAfterSeconds)) : 0,
  };
}

