// One text module for everything a person reads: pages, mails, SMS and RADIUS Reply-Messages, in every language
// Tessera has a catalogue for (en.ts, ro.ts, …). Code names messages by id; the catalogues hold the words.
import { en, type MessageId } from './en.ts';

export type { MessageId };
export type { Catalogue } from './catalogues.ts';
export { catalogues, referenceLocale, supportedLocales, isSupportedLocale } from './catalogues.ts';
export { t, messageParams, resolveLocale, formatDateTime, type MessageParams } from './format.ts';
export { inLocale, currentLocale } from './context.ts';
export {
  chooseLocale,
  fromAcceptLanguage,
  fromUiLocales,
  localeFromEnvironment,
  supportedLocaleOf,
  type LocaleSources,
} from './negotiate.ts';

export function isMessageId(id: string): id is MessageId {
  return Object.hasOwn(en, id);
}
