// The second-factor decision for one person at one app: the app's policy (or the default), the person's groups
// and whether they have a token. The sign-in flow, the OIDC step-up check and the VPN login all ask this one.
import { decide, defaultPolicy, type SecondFactorDecision } from './policy.ts';
import type { PolicyStore } from './store.ts';

export interface SecondFactorPorts {
  policies: PolicyStore;
  groupsOf(accountId: string): Promise<readonly string[]>;
  hasToken(accountId: string): Promise<boolean>;
  now(): number;
}

/**
 * `knownGroups`, `hasToken`: a caller that just read the account (at the password step) or the tokens passes them,
 * so they are not read again.
 */
export type SecondFactorRule = (appId: string, accountId: string, knownGroups?: readonly string[], hasToken?: boolean) => Promise<SecondFactorDecision & { hasToken: boolean }>;

export function createSecondFactorRule(p: SecondFactorPorts): SecondFactorRule {
  return async (appId, accountId, knownGroups, knownHasToken) => {
    const [policy, groups, hasToken] = await Promise.all([p.policies.find(appId), knownGroups ?? p.groupsOf(accountId), knownHasToken ?? p.hasToken(accountId)]);
    return { ...decide(policy ?? defaultPolicy(appId), { groups: [...groups], hasToken }, p.now()), hasToken };
  };
}
