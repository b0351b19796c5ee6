// The OTP service: enrolment, validation, resync and the helpdesk's token operations, built from its inputs.
// Takes its store, sealer, clock and random source as arguments; knows nothing of HTTP, RADIUS or SQL.
import type { Clock, Random } from '../clock/index.ts';
import type { Sealer } from '../store/index.ts';
import { admin } from './admin.ts';
import { createContext, type AuditEvent } from './context.ts';
import { enrolment } from './enrolment.ts';
import { otpPolicy, type OtpPolicy } from './policy.ts';
import type { OtpStore } from './store.ts';
import { validation } from './validation.ts';

export interface OtpServiceOptions {
  store: OtpStore;
  sealer: Sealer;
  clock: Clock;
  random: Random;
  /** Shown in authenticator apps beside the account name. */
  issuerName: string;
  policy?: Partial<OtpPolicy>;
  audit?: (event: AuditEvent) => Promise<void>;
}

export function createOtpService(o: OtpServiceOptions) {
  const policy = otpPolicy(o.policy);
  const c = createContext({
    store: o.store,
    sealer: o.sealer,
    clock: o.clock,
    random: o.random,
    policy,
    issuerName: o.issuerName,
    audit: o.audit ?? (async () => {}),
  });
  return { policy, ...enrolment(c), ...validation(c), ...admin(c) };
}

export type OtpService = ReturnType<typeof createOtpService>;
