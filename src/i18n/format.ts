// Messages are ICU MessageFormat, formatted by intl-messageformat (FormatJS): plurals follow Intl.PluralRules of the
// language (Romanian one / few / other), numbers and dates go through Intl. Each message is parsed once per language.
import { IntlMessageFormat } from 'intl-messageformat';
import { formatDuration, isDurationParam } from '../clock/index.ts';
import { catalogues, referenceLocale } from './catalogues.ts';
import { currentLocale } from './context.ts';
import { en, type MessageId } from './en.ts';

export type MessageParams = Readonly<Record<string, string | number>>;

interface Compiled {
  format: IntlMessageFormat;
  /** Every parameter the message names. */
  params: string[];
  /** Parameters used as plural, select or number arguments: given to the formatter as numbers. */
  typed: Set<string>;
}

// The AST's element types (@formatjs/icu-messageformat-parser TYPE): 1 argument, 2 number, 3 date, 4 time,
// 5 select, 6 plural, 8 tag.
interface AstElement {
  type: number;
  value?: unknown;
  options?: Record<string, { value: AstElement[] }>;
  children?: AstElement[];
}

function collect(elements: AstElement[], params: Set<string>, typed: Set<string>): void {
  for (const el of elements) {
    if (el.type >= 1 && el.type <= 6 && typeof el.value === 'string') {
      params.add(el.value);
      if (el.type !== 1) typed.add(el.value);
    }
    for (const option of Object.values(el.options ?? {})) collect(option.value, params, typed);
    if (el.children) collect(el.children, params, typed);
  }
}

const cache = new Map<string, Compiled>();

function compiled(id: MessageId, locale: string): Compiled {
  const key = `${locale}\u0000${id}`;
  let found = cache.get(key);
  if (!found) {
    // Not yet translated: the English words, with English plural rules.
    const own = catalogues[locale][id];
    const [source, language] = own === undefined ? [en[id], referenceLocale] : [own, locale];
    // HTML in mail texts stays text: `ignoreTag` keeps <p> from being read as a rich-text tag.
    const format = new IntlMessageFormat(source, language, undefined, { ignoreTag: true });
    const params = new Set<string>();
    const typed = new Set<string>();
    collect(format.getAst() as AstElement[], params, typed);
    found = { format, params: [...params], typed };
    cache.set(key, found);
  }
  return found;
}

/** The language a message is written in: the one asked for when Tessera has it, else the reference. */
export function resolveLocale(locale: string | undefined): string {
  return locale && Object.hasOwn(catalogues, locale) ? locale : referenceLocale;
}

/** The parameters a message names, in the order they first appear (the catalogue test compares languages). */
export function messageParams(id: MessageId, locale: string = referenceLocale): string[] {
  return compiled(id, resolveLocale(locale)).params;
}

/**
 * The text of a message in `locale`, else the request's language, else English. A duration (a parameter in seconds,
 * as its name says) is written in words ("2 minutes"), a number the language's way ("1,024", "1.024"); a value that
 * only looks like a number (a code, a serial) is a string. A missing value shows its name, never a crash.
 */
export function t(id: MessageId, params: MessageParams = {}, locale?: string): string {
  const language = resolveLocale(locale ?? currentLocale());
  const message = compiled(id, language);
  const values: Record<string, string | number> = {};
  for (const name of message.params) {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) values[name] = `{${name}}`;
    else if (typeof value !== 'number' || message.typed.has(name)) values[name] = value;
    else if (isDurationParam(name)) values[name] = formatDuration(value, language);
    else values[name] = new Intl.NumberFormat(language).format(value);
  }
  return String(message.format.format(values));
}

/** A date and time as the language writes it ("5 December 2026, 23:40"), in UTC unless a zone is given. */
export function formatDateTime(at: Date | number, locale?: string, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat(resolveLocale(locale ?? currentLocale()), {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone,
  }).format(at);
}
