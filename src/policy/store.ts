import type { AppPolicy } from './policy.ts';

export interface PolicyStore {
  find(appId: string): Promise<AppPolicy | undefined>;
  save(policy: AppPolicy, atMs: number): Promise<void>;
  list(): Promise<AppPolicy[]>;
}

/**
 * Every sign-in reads its app's policy, while operators change one a few times a year: reads are served from memory
 * for `ttlMs`. A save in this process is seen at once; one made on another node when it tells this one (`forget`,
 * from the change feed), else within `ttlMs`.
 */
export function cachedPolicyStore(
  inner: PolicyStore,
  now: () => number,
  ttlMs = 1000,
): PolicyStore & { forget(): void } {
  const cache = new Map<string, { policy: AppPolicy | undefined; until: number }>();
  return {
    forget() {
      cache.clear();
    },
    async find(appId) {
      const hit = cache.get(appId);
      if (hit && hit.until > now()) return hit.policy;
      const policy = await inner.find(appId);
      // Bounded by the apps and gateways that exist, plus whatever ids callers make up: cap it anyway.
      if (cache.size > 10_000) cache.clear();
      cache.set(appId, { policy, until: now() + ttlMs });
      return policy;
    },
    async save(policy, atMs) {
      await inner.save(policy, atMs);
      cache.delete(policy.appId);
    },
    list: () => inner.list(),
  };
}
