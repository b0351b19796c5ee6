export { createOutbox, retryDelayMs, type Outbox, type OutboxOptions, type StoredMail } from './outbox.ts';
export type { OutboxRow, NewOutboxRow, OutboxStore } from './store.ts';
export { createSqlOutboxStore } from './sql/outbox-store.ts';
export { isDeliverableAddress, type OutgoingMail, type MailCategory } from './message.ts';
export { DeliveryError, type DeliveryErrorCode } from './errors.ts';
export { renderMail, mailParams, type RenderedMail } from './templates.ts';
export { sendCampaign, CampaignError, type CampaignInput } from './campaign.ts';
export * from './sms/index.ts';
export { createSqlSmsOutboxStore } from './sql/sms-outbox-store.ts';
