// Mail by stable id: the catalogue holds the words, code passes parameters. Every parameter is HTML-escaped in
// the HTML part and checked before use, so a hostile name or link cannot become markup or a script link.
import { DeliveryError } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration, isDurationParam } from '../clock/index.ts';
import { catalogues, fallbackLocale, type MailTemplate } from './catalogue/index.ts';

export type MailParams = Readonly<Record<string, string | number>>;

const placeholder = /\{(\w+)\}/g;

/** Parameters a template uses, in the order they first appear. */
export function templateParams(template: MailTemplate): string[] {
  const names = new Set<string>();
  for (const part of [template.subject, template.text, template.html])
    for (const m of part.matchAll(placeholder)) names.add(m[1]);
  return [...names];
}

/** The template, and the language it is written in (its durations are written in the same). */
function findTemplate(id: string, locale: string): { template: MailTemplate; language: string } {
  // `ro-RO` → `ro` → English: a language without its own text for this mail still sends one.
  const language = locale.toLowerCase().split(/[-_]/)[0];
  if (!Object.hasOwn(catalogues[fallbackLocale], id)) throw new DeliveryError('delivery.unknown_template', id);
  for (const [name, catalogue] of [
    [locale, catalogues[locale]],
    [language, catalogues[language]],
  ] as const) {
    const template = catalogue?.[id];
    if (template) return { template, language: name };
  }
  return { template: catalogues[fallbackLocale][id], language: fallbackLocale };
}

export function renderMail(id: string, params: MailParams, locale: string = fallbackLocale): MailTemplate {
  const { template, language } = findTemplate(id, locale);
  const values = new Map<string, string>();
  for (const name of templateParams(template)) {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    // A missing parameter would send a mail with a hole in it (an empty link): refuse it before anything is stored.
    if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value)))
      throw new DeliveryError('delivery.missing_parameter', name);
    // A duration's parameter is in seconds (`expiresSeconds`); the mail says "24 hours".
    const duration = typeof value === 'number' && isDurationParam(name);
    values.set(name, duration ? formatDuration(value, language) : String(value));
  }
  // A parameter used as a link target must be a web address: `javascript:` survives HTML escaping.
  for (const m of template.html.matchAll(/href="\{(\w+)\}"/g)) {
    if (!/^https?:\/\/[^\s]+$/i.test(values.get(m[1])!)) throw new DeliveryError('delivery.invalid_parameter', m[1]);
  }
  const fill = (text: string, encode: (v: string) => string) =>
    text.replace(placeholder, (_, name: string) => encode(values.get(name)!));
  return {
    subject: fill(template.subject, (v) => v),
    text: fill(template.text, (v) => v),
    html: fill(template.html, escapeHtml),
  };
}
