import { en, type MessageId } from './en.ts';

const catalogues: Record<string, Partial<Record<MessageId, string>>> = { en };

export type { MessageId };

export function isMessageId(id: string): id is MessageId {
  return id in en;
}

// Falls back to English for a message a catalogue lacks, so a partial translation never shows an id.
export function t(id: MessageId, params: Record<string, string | number> = {}, locale = 'en'): string {
  const template = catalogues[locale]?.[id] ?? en[id];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
