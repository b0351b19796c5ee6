export { decide, modeFor, defaultPolicy, type AppPolicy, type OtpMode, type SecondFactorDecision } from './policy.ts';
export { cachedPolicyStore, type PolicyStore } from './store.ts';
export { createSqlPolicyStore } from './sql/policy-store.ts';
export {
  createCheckedSecondFactor,
  createSecondFactorRule,
  type CheckedSecondFactor,
  type SecondFactorRule,
  type SecondFactorPorts,
  type TokensPort,
} from './second-factor.ts';
