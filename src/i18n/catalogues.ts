// The languages Tessera speaks: one catalogue file per language, listed here once. A new language is a copy of en.ts
// translated and one line below. A message missing from a language is shown in English (a page never shows an id)
// and fails the catalogue test (i18n.test.ts), which names it: a feature landing with new English texts keeps the
// build green until its translations follow.
import { en, type MessageId } from './en.ts';
import { ro } from './ro.ts';

export type Catalogue = Readonly<Partial<Record<MessageId, string>>>;

export const catalogues: Readonly<Record<string, Catalogue>> = { en, ro };

/** The reference language: complete, and what an unknown language tag falls back to. */
export const referenceLocale = 'en';

export const supportedLocales: readonly string[] = Object.keys(catalogues);

export const isSupportedLocale = (tag: string): boolean => Object.hasOwn(catalogues, tag);
