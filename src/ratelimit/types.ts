// The vocabulary every rate-limit backend shares. A limit throttles; it never locks an account for good
// (NIST SP 800-63B §3.2.2, ASVS V6.3.1, checklist T8): once the window has passed, attempts are allowed again.
import { TesseraError } from '../errors/index.ts';

/** At most `limit` attempts per key in each window of `windowSeconds`. */
export interface Limit {
  limit: number;
  windowSeconds: number;
}

export interface LimitDecision {
  allowed: boolean;
  /** Attempts still allowed in the current window after this one. */
  remaining: number;
  /** 0 when allowed; otherwise the seconds until the window ends and attempts are allowed again. */
  retryAfterSeconds: number;
}

/** One counter service, whatever holds the counts (database or Redis). Keys are free text; backends digest them. */
export interface RateLimiter {
  /** Counts one attempt and says whether it is within the limit. */
  consume(key: string, rule: Limit): Promise<LimitDecision>;
  /** Says what the next consume would answer, without counting. */
  peek(key: string, rule: Limit): Promise<LimitDecision>;
  /** Forgets a key's count (e.g. an account's failures after a successful sign-in). */
  reset(key: string): Promise<void>;
  /**
   * Counts one attempt under every key, in the order given; when a key is over its limit, the counts this attempt
   * already made are taken back (it never ran) and RateLimitedError is thrown.
   */
  check(attempts: ReadonlyArray<{ key: string; rule: Limit }>): Promise<void>;
  /** Throws RateLimitedError when the key is already at its limit, without counting (for counting failures only). */
  ensureUnder(key: string, rule: Limit): Promise<void>;
  /**
   * Counting failures only: reserves the attempt under every limit first, as `check` does (a full limit throws
   * RateLimitedError and runs nothing), so that parallel attempts cannot all pass before the first failure is
   * counted (checklist T45). A success gives the reservation back, and so does an error `counts(error)` does not
   * count (a RateLimitedError never counts); any other error keeps it and is rethrown.
   */
  limitFailures<T>(
    limits: ReadonlyArray<{ key: string; rule: Limit }>,
    attempt: () => Promise<T>,
    counts?: (error: unknown) => boolean,
  ): Promise<T>;
  /**
   * Deletes counters whose window has ended. Never younger than the longest allowed window, so a live counter is
   * never purged; a larger `olderThanMs` keeps rows longer. Redis expires its own keys, so there it does nothing.
   */
  purge(olderThanMs?: number): Promise<void>;
  /** Closes what the limiter opened itself (the Redis connection); a database belongs to its store. */
  close(): Promise<void>;
}

/** One attempt as a backend counted it: the decision, and the window it was counted in, for a refund. */
export interface Counted {
  decision: LimitDecision;
  window: string;
}

/** What a backend provides; RateLimiter adds rule checks and the two helpers on top (see limiter.ts). */
export interface CounterStore {
  consume(key: string, rule: Limit): Promise<Counted>;
  /**
   * Takes back one attempt counted in `window` (from `consume`). A window that has since ended is left alone: its
   * successor starts from nothing anyway, and must not start below it.
   */
  refund(key: string, window: string): Promise<void>;
  /**
   * One attempt under several keys in one round trip, in the order given: a key is counted only while the keys before
   * it allowed the attempt, so a key that refuses keeps the attempt from the keys after it. Answers in the order of
   * `attempts`, undefined for a key not counted. Should a race count a key after a refusing one (PostgreSQL reads
   * the earlier counts as the statement found them), it is in the answer too, to be given back with the rest.
   */
  consumeEach(attempts: ReadonlyArray<{ key: string; rule: Limit }>): Promise<Array<Counted | undefined>>;
  /** Takes back what `consumeEach` (or `consume`) counted, every key in one round trip, as `refund` would. */
  refundEach(reservation: ReadonlyArray<{ key: string; window: string }>): Promise<void>;
  peek(key: string, rule: Limit): Promise<LimitDecision>;
  reset(key: string): Promise<void>;
  purge(olderThanMs: number): Promise<void>;
  close(): Promise<void>;
}

export type RateLimitErrorCode =
  | 'ratelimit.invalid_rule'
  | 'ratelimit.invalid_key'
  | 'ratelimit.unavailable'
  | 'ratelimit.invalid_proxy';

/** A programming or configuration mistake, or the counter store not answering: never a person's fault. */
export class RateLimitError extends TesseraError<RateLimitErrorCode> {
  constructor(code: RateLimitErrorCode, options?: { cause?: unknown }) {
    super(code, { cause: options?.cause });
  }
}

/** Too many attempts: each edge maps the code once (web: 429 with Retry-After and the page's `web.rate_limited`). */
export class RateLimitedError extends TesseraError<'ratelimit.throttled'> {
  declare readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('ratelimit.throttled', { retryAfterSeconds });
  }
}
