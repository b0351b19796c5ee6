// Which language a request is answered in (issue 22), first match wins:
//   1. OIDC `ui_locales` (the app's wish, space-separated, best first; OpenID Connect Core §3.1.2.1),
//   2. the language switcher's cookie (the person's own choice on any page),
//   3. `Accept-Language` (the browser's list, by q-value; RFC 9110 §12.5.4),
//   4. `i18n.defaultLocale` from the configuration.
// A tag matches a catalogue by itself or by its language subtag: `ro-RO` and `ro-MD` are read as `ro`.
import { isSupportedLocale } from './catalogues.ts';

export interface LocaleSources {
  uiLocales?: string | undefined;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
}

const tagPattern = /^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

/** The supported language a single tag names, if any. */
export function supportedLocaleOf(tag: string | undefined): string | undefined {
  if (!tag || tag.length > 35 || !tagPattern.test(tag.trim())) return undefined;
  const lower = tag.trim().toLowerCase().replace(/_/g, '-');
  if (isSupportedLocale(lower)) return lower;
  const language = lower.split('-')[0];
  return isSupportedLocale(language) ? language : undefined;
}

/** The first supported tag of a space-separated list (`ui_locales`). */
export function fromUiLocales(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const tag of value.slice(0, 256).split(/\s+/)) {
    const found = supportedLocaleOf(tag);
    if (found) return found;
  }
  return undefined;
}

/** The supported language the browser prefers most: q=0 means "not this one", equal q keeps the header's order. */
export function fromAcceptLanguage(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const ranges = header
    .slice(0, 1024)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.q > 0 && r.tag !== '*')
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const found = supportedLocaleOf(range.tag);
    if (found) return found;
  }
  return undefined;
}

export function chooseLocale(sources: LocaleSources, defaultLocale: string): string {
  return (
    fromUiLocales(sources.uiLocales) ??
    supportedLocaleOf(sources.cookie) ??
    fromAcceptLanguage(sources.acceptLanguage) ??
    supportedLocaleOf(defaultLocale) ??
    'en'
  );
}

/**
 * The language of a program run on a person's computer (the desktop token): POSIX LC_ALL, LC_MESSAGES, LANG
 * (`ro_RO.UTF-8`), else the system's own (Windows and macOS report it through Intl), else English.
 */
export function localeFromEnvironment(env: Readonly<Record<string, string | undefined>>): string {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name]?.split(/[.@]/)[0];
    if (value && value !== 'C' && value !== 'POSIX') return supportedLocaleOf(value) ?? 'en';
  }
  return supportedLocaleOf(Intl.DateTimeFormat().resolvedOptions().locale) ?? 'en';
}
