// Sign-in: the stored sign-in flow, the password attempt rules the sign-in page and the VPN share, and the device
// cookie that keeps the owner's browser out of others' failures.
import { createFirstFactor, createSignIn, createSqlSignInFlowStore } from '../signin/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import type { AttemptRules } from '../ratelimit/index.ts';
import type { OtpService } from '../otp/index.ts';
import { cryptoRandom } from '../clock/index.ts';
import { createDeviceCookies } from '../web/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Policy } from './otp-policy.ts';

export function composeSignIn(f: Foundation, otp: OtpService, identity: Identity, policy: Policy) {
  const { limits } = f.config;
  // Password attempts, on the sign-in page and the VPN alike (src/ratelimit/attempt-limits.ts).
  const signInRules: AttemptRules = {
    perAccountSource: limits.signInPerAccountSource,
    perSource: limits.signInPerSource,
    perAccount: limits.signInPerAccount,
    perDevice: limits.signInPerDevice,
  };
  const devices = createDeviceCookies({
    key: f.secrets.deviceKey,
    clock: f.clock,
    lifetimeDays: limits.deviceCookieDays,
    secure: f.secureCookies,
  });
  const signIn = createSignIn({
    store: createSqlSignInFlowStore(f.store.db),
    clock: f.clock,
    random: cryptoRandom,
    secondFactor: policy.secondFactor,
    otp,
    afterEnrolment: policy.afterEnrolment,
    flowTtlSeconds: 15 * 60,
    async label(accountId) {
      const account = await identity.accounts.findAccount(accountId);
      return account?.username ?? account?.email ?? accountId;
    },
  });
  return { signIn, signInRules, devices };
}

export type SignInParts = ReturnType<typeof composeSignIn>;

/** The password check of the sign-in page and the VPN: the directory for its names, else a customer's password. */
export function composeFirstFactor(
  f: Foundation,
  identity: Identity,
  signIn: SignInParts,
  workforce: WorkforceService | undefined,
) {
  return createFirstFactor({ accounts: identity.accounts, workforce, limiter: f.limiter, rules: signIn.signInRules });
}
