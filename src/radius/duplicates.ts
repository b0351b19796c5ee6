// RFC 5080 §2.2.2: a retransmission (same source address, port, Identifier and Request Authenticator)
// gets the reply already sent, without running the authentication again — so a NAS retrying over a lossy
// link does not spend the user's one-time code twice (checklist T41). A new authenticator is a new request.
import type { Clock } from '../clock/index.ts';

export type DuplicateLookup = { state: 'new' } | { state: 'in_progress' } | { state: 'answered'; reply: Buffer };

export interface DuplicateCache {
  /** Looks the request up, and when it is new, marks it in progress. */
  claim(key: string): DuplicateLookup;
  /** Stores the reply for `ttlMs`; null (no reply sent) forgets the request so a retry is processed afresh. */
  finish(key: string, reply: Buffer | null): void;
  readonly size: number;
}

export function duplicateKey(address: string, port: number, identifier: number, authenticator: Buffer): string {
  return `${address}|${port}|${identifier}|${authenticator.toString('hex')}`;
}

interface Entry {
  reply: Buffer | null;
  expiresAt: number;
}

export function createDuplicateCache(options: { clock: Clock; ttlMs: number; maxEntries: number }): DuplicateCache {
  const { clock, ttlMs, maxEntries } = options;
  // A Map iterates in insertion order: the first entries are the oldest, which eviction and expiry use.
  const entries = new Map<string, Entry>();

  function sweep(now: number): void {
    for (const [key, entry] of entries) {
      if (entry.reply === null) continue;
      if (entry.expiresAt > now) break;
      entries.delete(key);
    }
  }

  return {
    get size() {
      return entries.size;
    },
    claim(key) {
      const now = clock.now();
      sweep(now);
      const entry = entries.get(key);
      if (entry !== undefined) {
        if (entry.reply === null) return { state: 'in_progress' };
        if (entry.expiresAt > now) return { state: 'answered', reply: entry.reply };
        entries.delete(key);
      }
      // Bounded: under a flood of distinct requests the oldest entries are forgotten first.
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      entries.set(key, { reply: null, expiresAt: Number.POSITIVE_INFINITY });
      return { state: 'new' };
    },
    finish(key, reply) {
      if (reply === null) {
        entries.delete(key);
        return;
      }
      // Re-inserted so the Map stays ordered by expiry for `sweep`.
      entries.delete(key);
      entries.set(key, { reply, expiresAt: clock.now() + ttlMs });
    },
  };
}
