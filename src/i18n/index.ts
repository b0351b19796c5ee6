import { formatDuration, isDurationParam } from '../clock/index.ts';
import { en, type MessageId } from './en.ts';

const catalogues: Record<string, Partial<Record<MessageId, string>>> = { en };

export type { MessageId };

export function isMessageId(id: string): id is MessageId {
  return id in en;
}

// Falls back to English for a message a catalogue lacks, so a partial translation never shows an id. Numbers are
// written the locale's way ("1,024" in English), durations in words ("Wait 2 minutes": a parameter in seconds, as
// its name says); a value that only looks like a number (a code, a serial) is a string.
export function t(id: MessageId, params: Record<string, string | number> = {}, locale = 'en'): string {
  const template = catalogues[locale]?.[id] ?? en[id];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    if (typeof value !== 'number') return value;
    return isDurationParam(name) ? formatDuration(value, locale) : new Intl.NumberFormat(locale).format(value);
  });
}
