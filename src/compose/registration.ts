// OTP registration (/otp/register): the flow over the directory (employee ID, mobile number), the sign-in's first
// factor, the OTP service and the registration notice; present when a directory is configured.
import type { DirectorySource } from '../directory/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import type { OtpService } from '../otp/index.ts';
import { createRegistration, createSqlRegistrationStore, type Registration } from '../registration/index.ts';
import type { FirstFactor } from '../signin/index.ts';
import { cryptoRandom } from '../clock/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Policy } from './otp-policy.ts';
import type { Csrf, RegistrationRouteOptions } from '../web/index.ts';

export interface RegistrationParts {
  identity: Identity;
  otp: OtpService;
  policy: Policy;
  firstFactor: FirstFactor;
  directory: DirectorySource | undefined;
  workforce: WorkforceService | undefined;
}

export function composeRegistration(f: Foundation, p: RegistrationParts): Registration | undefined {
  const { directory, workforce } = p;
  if (!directory || !workforce) return undefined;
  const { registration } = f.config;
  // The directory is asked by the name it knows the person by (its login name), never by what was typed.
  const usernameOf = async (accountId: string) => (await p.identity.accounts.findAccount(accountId))?.username ?? '';
  return createRegistration({
    store: createSqlRegistrationStore(f.store.db),
    clock: f.clock,
    random: cryptoRandom,
    codePepper: f.secrets.codePepper,
    policy: registration,
    firstFactor: p.firstFactor.check,
    isDirectoryName: (name) => workforce.isDirectoryName(name),
    directory: {
      employeeIdMatches: async (accountId, typed) => directory.checkEmployeeId(await usernameOf(accountId), typed),
      mobileOf: async (accountId) => directory.mobileOf(await usernameOf(accountId)),
    },
    otp: p.otp,
    limiter: f.limiter,
    guessesPerAccount: registration.guessesPerAccount,
    async label(accountId) {
      const account = await p.identity.accounts.findAccount(accountId);
      return account?.username ?? account?.email ?? accountId;
    },
    afterEnrolment: p.policy.afterEnrolment,
    audit: f.auditAs('anonymous'),
  });
}

/** The /otp/register pages' settings. */
export function registrationRoutes(f: Foundation, registration: Registration, csrf: Csrf): RegistrationRouteOptions {
  return {
    registration,
    csrf,
    secureCookies: f.secureCookies,
    flowTtlSeconds: f.config.registration.flowTtlSeconds,
    employeeIdHint: f.config.registration.employeeIdHint,
    appName: f.config.otp.issuerName,
  };
}
