// Checks an outgoing mail before it is stored: a refused mail leaves no row behind, and a stored mail can always
// be handed to the relay as it is.
import { DeliveryError } from './errors.ts';

export type MailCategory = 'transactional' | 'marketing';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  category?: MailCategory;
  /** Passed through as they are, e.g. RFC 8058 `List-Unsubscribe` and `List-Unsubscribe-Post`. */
  headers?: Record<string, string>;
  /** Not sent before this time (ms since the epoch): campaigns spread their mail out. */
  notBefore?: number;
}

// RFC 5322 §2.2: a header line ends at CRLF, so a CR or LF in a value would start a new header (Bcc: …) or the
// body. Other control characters (NUL, VT, …) have no business in a header either; tab is folding whitespace.
const headerControl = /[\u0000-\u0008\u000a-\u001f\u007f]/;
// RFC 5322 §3.6.8: a field name is printable ASCII except the colon.
const fieldName = /^[\x21-\x39\x3b-\x7e]{1,76}$/;
// Headers the outbox writes itself: letting a caller set them would add recipients (Bcc), forge the sender,
// or break the MIME structure of the message.
const reserved = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'return-path',
  'received',
]);

// Characters that end or split an address in a header or an SMTP command (RFC 5322 specials, space, controls).
const addressPart = /^[^\s@<>()[\]\\,;:"\p{Cc}]+$/u;

// The same addresses identity's normalizeEmail accepts, plus the RFC 5321 §4.5.3.1 sizes and RFC 5322 dot-atom
// rules (no empty label, no leading, trailing or doubled dot) that a relay would refuse later anyway.
export function isDeliverableAddress(address: string): boolean {
  if (Buffer.byteLength(address) > 254) return false;
  const at = address.indexOf('@');
  if (at < 1 || at !== address.lastIndexOf('@')) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (Buffer.byteLength(local) > 64 || !addressPart.test(local) || local.split('.').some((atom) => atom === ''))
    return false;
  const labels = domain.split('.');
  return (
    labels.length >= 2 &&
    addressPart.test(domain) &&
    labels.every((label) => label.length > 0 && label.length <= 63 && !label.startsWith('-') && !label.endsWith('-')) &&
    labels[labels.length - 1].length >= 2
  );
}

/** Refuses a mail that could inject headers or cannot be addressed; returns the headers to store. */
export function checkMail(mail: OutgoingMail): Record<string, string> {
  for (const field of ['to', 'subject', 'text'] as const) {
    if (typeof mail[field] !== 'string') throw new DeliveryError('delivery.invalid_mail', field);
  }
  if (mail.html !== undefined && typeof mail.html !== 'string')
    throw new DeliveryError('delivery.invalid_mail', 'html');
  if (mail.category !== undefined && mail.category !== 'transactional' && mail.category !== 'marketing') {
    throw new DeliveryError('delivery.invalid_mail', 'category');
  }
  if (mail.notBefore !== undefined && !Number.isSafeInteger(mail.notBefore))
    throw new DeliveryError('delivery.invalid_mail', 'notBefore');
  if (headerControl.test(mail.to)) throw new DeliveryError('delivery.header_injection', 'to');
  if (headerControl.test(mail.subject)) throw new DeliveryError('delivery.header_injection', 'subject');
  if (!isDeliverableAddress(mail.to)) throw new DeliveryError('delivery.invalid_recipient', 'to');
  if (mail.subject.trim() === '') throw new DeliveryError('delivery.invalid_mail', 'subject');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    if (typeof value !== 'string') throw new DeliveryError('delivery.invalid_header', name);
    if (headerControl.test(value) || headerControl.test(name))
      throw new DeliveryError('delivery.header_injection', 'headers');
    if (!fieldName.test(name) || reserved.has(name.toLowerCase()))
      throw new DeliveryError('delivery.invalid_header', name);
    headers[name] = value;
  }
  return headers;
}

/** `ana@example.com` → `a***@example.com`: enough to tell recipients apart in logs, not to read the address. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 1 ? '***' : `${address[0]}***${address.slice(at)}`;
}
