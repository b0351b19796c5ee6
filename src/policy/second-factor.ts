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
export type SecondFactorRule = (
  appId: string,
  accountId: string,
  knownGroups?: readonly string[],
  hasToken?: boolean,
) => Promise<SecondFactorDecision & { hasToken: boolean }>;

export function createSecondFactorRule(p: SecondFactorPorts): SecondFactorRule {
  return async (appId, accountId, knownGroups, knownHasToken) => {
    const [policy, groups, hasToken] = await Promise.all([
      p.policies.find(appId),
      knownGroups ?? p.groupsOf(accountId),
      knownHasToken ?? p.hasToken(accountId),
    ]);
    return { ...decide(policy ?? defaultPolicy(appId), { groups: [...groups], hasToken }, p.now()), hasToken };
  };
}

/** A person's tokens as the OTP module answers for them (`otp.tokensOf`): read once, then decided on and checked. */
export interface TokensPort {
  tokensOf(accountId: string): Promise<{
    hasActive: boolean;
    validate(code: string, options: { source: string }): Promise<unknown>;
  }>;
}

/** The decision, and the code check a login that asks for one goes on to (the VPN: a challenge, or password+code). */
export type CheckedSecondFactor = (
  appId: string,
  accountId: string,
  knownGroups?: readonly string[],
) => Promise<SecondFactorDecision & { hasToken: boolean; checkCode(code: string, source: string): Promise<void> }>;

// One read of the person's tokens serves both the decision and, with password and code in one field, the check.
export function createCheckedSecondFactor(rule: SecondFactorRule, tokens: TokensPort): CheckedSecondFactor {
  return async (appId, accountId, knownGroups) => {
    const held = await tokens.tokensOf(accountId);
    const decision = await rule(appId, accountId, knownGroups, held.hasActive);
    return {
      ...decision,
      checkCode: async (code, source) => {
        await held.validate(code, { source });
      },
    };
  };
}
