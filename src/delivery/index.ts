export { createOutbox, DeliveryError, type Outbox, type OutboxOptions, type OutgoingMail, type StoredMail } from './outbox.ts';
export { renderMail, TemplateError } from './templates.ts';
export { sendCampaign, CampaignError, type CampaignInput } from './campaign.ts';
