// Fixed windows shared by every backend: the same arithmetic on every node, so counts agree across nodes.
import { createHash } from 'node:crypto';
import { RateLimitError, type Limit, type LimitDecision } from './types.ts';

/** The longest window a rule may have by default: purge() keeps rows at least this long. */
export const defaultMaxWindowSeconds = 24 * 3600;

// Keys carry what people typed (names, addresses): stored as a digest, they have one length and no byte (NUL,
// invalid UTF-8) a database could choke on, and the store holds no personal data.
export function digestKey(key: unknown): string {
  checkKey(key);
  return createHash('sha256').update(key).digest('base64url');
}

export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new RateLimitError('ratelimit.invalid_key');
}

export function checkRule(rule: Limit, maxWindowSeconds: number): void {
  const ok =
    rule !== null &&
    typeof rule === 'object' &&
    Number.isSafeInteger(rule.limit) &&
    rule.limit > 0 &&
    Number.isSafeInteger(rule.windowSeconds) &&
    rule.windowSeconds > 0 &&
    rule.windowSeconds <= maxWindowSeconds;
  if (!ok) throw new RateLimitError('ratelimit.invalid_rule');
}

export function windowStartMs(nowMs: number, rule: Limit): number {
  const windowMs = rule.windowSeconds * 1000;
  return Math.floor(nowMs / windowMs) * windowMs;
}

/**
 * The decision for a key whose window starting at `startMs` holds `count` attempts, this one included when
 * `counted`. Refused attempts do not push the end of the window: a flood never lengthens the back-off (T8).
 */
export function decide(count: number, startMs: number, rule: Limit, nowMs: number, counted: boolean): LimitDecision {
  const allowed = counted ? count <= rule.limit : count < rule.limit;
  // After a consume: attempts left after this one; on a peek: attempts left from now. Both are limit − count.
  const remaining = Math.max(0, rule.limit - count);
  const endMs = startMs + rule.windowSeconds * 1000;
  return { allowed, remaining, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((endMs - nowMs) / 1000)) };
}
