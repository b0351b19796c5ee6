// Mail by stable id: the i18n catalogue holds the words (`mail.<id>.subject|text|html`), code passes parameters.
// Every parameter is HTML-escaped in the HTML part and checked before use, so a hostile name or link cannot become
// markup or a script link.
import { DeliveryError } from './errors.ts';
import { escapeHtml } from './escape.ts';
import {
  catalogues,
  currentLocale,
  isMessageId,
  messageParams,
  resolveLocale,
  supportedLocaleOf,
  t,
  type MessageId,
} from '../i18n/index.ts';

export type MailParams = Readonly<Record<string, string | number>>;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const parts = ['subject', 'text', 'html'] as const;

function partIds(id: string): Record<(typeof parts)[number], MessageId> {
  const ids = parts.map((part) => `mail.${id}.${part}`);
  if (!/^[a-z_]+\.[a-z_]+$/.test(id) || !ids.every(isMessageId))
    throw new DeliveryError('delivery.unknown_template', id);
  return { subject: ids[0], text: ids[1], html: ids[2] } as Record<(typeof parts)[number], MessageId>;
}

/** Parameters a mail uses, in the order they first appear. */
export function mailParams(id: string, locale?: string): string[] {
  const ids = partIds(id);
  return [...new Set(parts.flatMap((part) => messageParams(ids[part], locale)))];
}

/**
 * The mail in `locale` (`ro-RO` is read as `ro`; a language without a catalogue gets English), else the language of
 * the request being answered.
 */
export function renderMail(id: string, params: MailParams, locale?: string): RenderedMail {
  const ids = partIds(id);
  const language = resolveLocale(supportedLocaleOf(locale ?? currentLocale()));
  for (const name of mailParams(id, language)) {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    // A missing parameter would send a mail with a hole in it (an empty link): refuse it before anything is stored.
    if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value)))
      throw new DeliveryError('delivery.missing_parameter', name);
  }
  // A parameter used as a link target must be a web address: `javascript:` survives HTML escaping.
  for (const m of (catalogues[language][ids.html] ?? catalogues.en[ids.html] ?? '').matchAll(/href="\{(\w+)\}"/g)) {
    if (!/^https?:\/\/[^\s]+$/i.test(String(params[m[1]]))) throw new DeliveryError('delivery.invalid_parameter', m[1]);
  }
  const escaped = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, typeof value === 'string' ? escapeHtml(value) : value]),
  );
  return {
    subject: t(ids.subject, params, language),
    text: t(ids.text, params, language),
    html: t(ids.html, escaped, language),
  };
}
