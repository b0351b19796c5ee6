// The languages Tessera speaks: one catalogue file per language, listed here once. A new language is a copy of en.ts
// translated (its type makes the compiler name every missing id) and one line below.
import { en, type MessageId } from './en.ts';
import { ro } from './ro.ts';

export type Catalogue = Readonly<Record<MessageId, string>>;

export const catalogues: Readonly<Record<string, Catalogue>> = { en, ro };

/** The reference language: complete, and what an unknown language tag falls back to. */
export const referenceLocale = 'en';

export const supportedLocales: readonly string[] = Object.keys(catalogues);

export const isSupportedLocale = (tag: string): boolean => Object.hasOwn(catalogues, tag);
