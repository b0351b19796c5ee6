// SMS delivery: the outbox and its gateways (HTTP provider, SMPP 3.4), reached through src/delivery/index.ts.
export {
  createSmsOutbox,
  type SmsOutbox,
  type SmsOutboxOptions,
  type SmsDeliveryState,
  type StoredSms,
} from './outbox.ts';
export { SmsSendFailure, type SmsGateway } from './gateway.ts';
export {
  createHttpSmsGateway,
  callbackSignature,
  validCallbackSignature,
  callbackOutcome,
  type HttpSmsOptions,
} from './http.ts';
export { createSmppGateway, type SmppOptions } from './smpp.ts';
export { smsConfigSchema, type SmsConfig } from './config.ts';
export type { SmsOutboxStore, SmsRow } from './store.ts';
