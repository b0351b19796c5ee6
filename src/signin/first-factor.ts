// The first factor, whatever the protocol: a directory name signs in against the directory, anything else is a
// customer's e-mail and local password. Failed attempts count toward the sign-in limits (src/ratelimit/
// attempt-limits.ts); a successful one costs nothing. The web sign-in page and the VPN login apply the same rule,
// each on counters of its own `action`, so guessing on one cannot keep staff off the other.
import { countsAsFailedSignIn, type Account, type AccountService, type WorkforceService } from '../identity/index.ts';
import { attemptLimits, type AttemptRules, type AttemptSource, type RateLimiter } from '../ratelimit/index.ts';

export interface FirstFactorPorts {
  accounts: Pick<AccountService, 'authenticate'>;
  /** Present when a directory is configured: directory names sign in against it. */
  workforce?: Pick<WorkforceService, 'isDirectoryName' | 'signIn'>;
  limiter: Pick<RateLimiter, 'limitFailures'>;
  /** How password attempts are counted (the same rule for the sign-in page, the VPN and the reset page). */
  rules: AttemptRules;
}

export interface FirstFactorAttempt {
  /** Whose counters: 'signin' for the sign-in page, 'vpn' for the VPN login. */
  action: string;
  /** The name as typed: a customer's e-mail or a directory name in any form. */
  name: unknown;
  password: unknown;
  /**
   * Where the attempt comes from: the client's address (web), the client a VPN gateway names in Calling-Station-Id,
   * or only the gateway.
   */
  source: AttemptSource;
  /** The device id of a valid device cookie for this name (web): that browser is counted on its own. */
  device?: string;
}

export function createFirstFactor(p: FirstFactorPorts) {
  return {
    /** The account whose password this is; throws the directory's or identity's typed error, or ratelimit.throttled. */
    async check(attempt: FirstFactorAttempt): Promise<Account> {
      const name = String(attempt.name ?? '');
      const { action, source, device } = attempt;
      const limits = attemptLimits({ action, account: name, source, device }, p.rules);
      return p.limiter.limitFailures(
        limits,
        async () =>
          p.workforce?.isDirectoryName(name)
            ? p.workforce.signIn(name, String(attempt.password ?? ''))
            : p.accounts.authenticate(attempt.name, attempt.password),
        countsAsFailedSignIn,
      );
    },
  };
}

export type FirstFactor = ReturnType<typeof createFirstFactor>;
