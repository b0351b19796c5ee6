// The languages mail is written in. English is complete and the fallback; another language is one more file
// beside en.ts, added here, and may leave out mails not yet translated (they fall back to English).
import { en } from './en.ts';
import type { MailCatalogue } from './types.ts';

export const fallbackLocale = 'en';

export const catalogues: Readonly<Record<string, MailCatalogue>> = { en };

export type { MailCatalogue, MailTemplate } from './types.ts';
