// The OTP registration flow's only public surface.
export {
  createRegistration,
  type Registration,
  type RegistrationPorts,
  type RegistrationPolicy,
} from './service.ts';
export type { RegistrationFlow, RegistrationStep, CodeStep, SmsState } from './flow.ts';
export type { SmsPorts, SmsDelivery } from './sms.ts';
export { RegistrationError, type RegistrationErrorCode } from './errors.ts';
export type { RegistrationStore, HelpdeskCodeRow } from './store.ts';
export { createSqlRegistrationStore } from './sql/registration-store.ts';
