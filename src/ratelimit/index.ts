// Attempt limits shared by every Tessera node: sign-in, password reset, verification mail, e-mail change, OTP and
// RADIUS are limited per account and per source address, counted in the database or in Redis (never in process
// memory), so several nodes see one count. A limit throttles, it never locks an account for good (checklist T8).
export { createRateLimiter } from './limiter.ts';
export { createSqlCounterStore } from './sql/counter-store.ts';
export { createRedisCounterStore } from './redis/counter-store.ts';
export { accountKey, sourceKey } from './keys.ts';
export { attemptLimits, type Attempt, type AttemptRules, type AttemptSource } from './attempt-limits.ts';
export { clientAddress, trustedProxyList, sourceBucket } from './client-address.ts';
export {
  RateLimitedError,
  RateLimitError,
  type Limit,
  type LimitDecision,
  type RateLimiter,
  type RateLimitErrorCode,
  type CounterStore,
} from './types.ts';
