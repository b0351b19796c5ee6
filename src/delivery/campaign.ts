// Marketing campaigns: one mail per consenting recipient, through the outbox, spread over time so the relay and
// the recipients' providers are not flooded. Every mail carries RFC 2369 / RFC 8058 one-click unsubscribe headers
// and a visible unsubscribe button.
import { escapeHtml } from './escape.ts';
import type { Outbox } from './outbox.ts';
import { TesseraError } from '../errors/index.ts';

export interface CampaignInput {
  subject: string;
  html: string;
  text?: string;
}

export interface CampaignOptions {
  outbox: Outbox;
  audience(): Promise<Array<{ accountId: string; email: string }>>;
  unsubscribeLink(accountId: string): string;
  perMinute: number;
  now(): number;
}

export class CampaignError extends TesseraError<'delivery.campaign_invalid'> {
  constructor(message: string) {
    super('delivery.campaign_invalid', { message });
  }
}

function plainText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export async function sendCampaign(o: CampaignOptions, input: CampaignInput): Promise<{ recipients: number }> {
  if (!input.subject.trim() || /[\r\n]/.test(input.subject))
    throw new CampaignError('the subject must be one non-empty line');
  if (!input.html.trim()) throw new CampaignError('the HTML body is empty');
  const recipients = await o.audience();
  const spacingMs = 60_000 / o.perMinute;
  const start = o.now();
  for (const [i, recipient] of recipients.entries()) {
    const link = o.unsubscribeLink(recipient.accountId);
    await o.outbox.enqueue({
      to: recipient.email,
      subject: input.subject,
      category: 'marketing',
      notBefore: start + Math.floor(i * spacingMs),
      text: `${input.text ?? plainText(input.html)}\n\n--\nUnsubscribe from these mails: ${link}\n`,
      html: `${input.html}\n<hr><p style="text-align:center"><a href="${escapeHtml(link)}" style="display:inline-block;padding:8px 16px;border:2px solid #1d4ed8;border-radius:4px;color:#1d4ed8;text-decoration:none">Unsubscribe</a></p>`,
      headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  }
  return { recipients: recipients.length };
}
