// OTP and policy: the token service, which app asks whom for a code, and the notice mailed on every registration.
import { createEnrolmentNotice, createOtpService, createSqlOtpStore, type OtpService } from '../otp/index.ts';
import { cachedPolicyStore, createSecondFactorRule, createSqlPolicyStore } from '../policy/index.ts';
import { cryptoRandom } from '../clock/index.ts';
import { publishing } from '../cluster/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity, Mail } from './identity.ts';

export function composeOtp(f: Foundation): OtpService {
  const { windowSteps, freeFailures, maxFailures, enrolmentTtlSeconds, issuerName } = f.config.otp;
  return createOtpService({
    store: createSqlOtpStore(f.store.db),
    sealer: f.sealer,
    clock: f.clock,
    random: cryptoRandom,
    issuerName,
    policy: { windowSteps, freeFailures, maxFailures, enrolmentTtlSeconds },
    audit: f.auditAs('anonymous'),
  });
}

export function composePolicy(f: Foundation, otp: OtpService, identity: Identity, mail: Mail) {
  const cached = cachedPolicyStore(createSqlPolicyStore(f.store.db), () => f.clock.now(), f.backstopMs);
  f.feed.on('otp-policies', cached.forget);
  const policies = publishing(f.feed, cached, ['save'], 'otp-policies');
  const groupsOf = async (accountId: string) => (await identity.accounts.findAccount(accountId))?.groups ?? [];
  const secondFactor = createSecondFactorRule({
    policies,
    groupsOf,
    hasToken: (accountId) => otp.hasActiveToken(accountId),
    now: () => f.clock.now(),
  });
  const afterEnrolment = createEnrolmentNotice({
    emailOf: async (accountId) => (await identity.accounts.findAccount(accountId))?.email,
    sendMail: mail.sendMail,
  });
  return { policies, groupsOf, secondFactor, afterEnrolment };
}

export type Policy = ReturnType<typeof composePolicy>;
