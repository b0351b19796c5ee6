export { decide, modeFor, defaultPolicy, type AppPolicy, type OtpMode, type SecondFactorDecision } from './policy.ts';
export { cachedPolicyStore, type PolicyStore } from './store.ts';
export { createSqlPolicyStore } from './sql/policy-store.ts';
export { createSecondFactorRule, type SecondFactorRule, type SecondFactorPorts } from './second-factor.ts';
