// Every request's language and display preferences (issue 22), settled once in onRequest and kept for the request:
// the pages, form errors and mails made while answering read them, none of the page functions passes them along.
// The language: OIDC `ui_locales` (on the authorization request, which then also sets the cookie so the sign-in
// pages that follow keep it), the switcher's `?lang=` (the person's own click, kept in a cookie), the cookie,
// Accept-Language, `i18n.defaultLocale`. The accessibility menu's choices (larger text, high contrast) are cookies
// too: kept per browser, and they work without JavaScript.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chooseLocale, fromUiLocales, inLocale, supportedLocaleOf } from '../i18n/index.ts';
import { readCookie } from './cookies.ts';

export const languageCookie = 'tessera_lang';
export const viewCookie = 'tessera_view';

export type ViewOption = 'large-text' | 'high-contrast';
const viewOptions: readonly ViewOption[] = ['large-text', 'high-contrast'];

export interface PageContext {
  locale: string;
  /** The path and query of this request without the switcher's own parameters: where the switcher links point. */
  here: string;
  view: readonly ViewOption[];
}

const pages = new AsyncLocalStorage<PageContext>();

/** The request's page context; outside a request (tests rendering a page directly) English and no preferences. */
export function pageContext(): PageContext {
  return pages.getStore() ?? { locale: 'en', here: '/', view: [] };
}

export interface LocaleOptions {
  defaultLocale: string;
  secureCookies: boolean;
}

const oneYearSeconds = 365 * 24 * 3600;
const switcherParams = ['lang', 'view'];

function readView(header: string | undefined): ViewOption[] {
  // The options are plain words: only the comma is encoded, and nothing else in a forged cookie is decoded.
  const value = (readCookie(header, viewCookie) ?? '').replace(/%2C/gi, ',');
  return viewOptions.filter((o) => value.split(',').includes(o));
}

/** `?view=large-text` turns an option on, `?view=-large-text` off. */
function toggledView(current: ViewOption[], param: unknown): ViewOption[] | undefined {
  if (typeof param !== 'string') return undefined;
  const off = param.startsWith('-');
  const option = viewOptions.find((o) => o === param.replace(/^-/, ''));
  if (!option) return undefined;
  const rest = current.filter((o) => o !== option);
  return off ? rest : [...rest, option];
}

/**
 * Where the switcher's links point: this page again. A page that answers a form (a POST) has no address of its own
 * to load again; its links go to the nearest page above it that a GET shows (`/interaction/:uid/login` → the sign-in
 * step of `/interaction/:uid`), never to a 404.
 */
function hereOf(app: FastifyInstance, req: FastifyRequest): string {
  const parsed = new URL(req.url, 'http://x');
  for (const name of switcherParams) parsed.searchParams.delete(name);
  if (req.method === 'GET' || req.method === 'HEAD') return parsed.pathname + parsed.search;
  const segments = parsed.pathname.split('/');
  const patterns = (req.routeOptions.url ?? '').split('/');
  while (segments.length > 1) {
    const pattern = patterns.slice(0, segments.length).join('/') || '/';
    if (patterns.length >= segments.length && app.hasRoute({ method: 'GET', url: pattern }))
      return segments.join('/') || '/';
    segments.pop();
  }
  return '/';
}

function setCookie(req: FastifyRequest, reply: FastifyReply, cookie: string) {
  // oidc-provider answers /oidc/* on the raw response (reply.hijack()); Fastify writes its own headers elsewhere.
  if (req.url.startsWith('/oidc/')) reply.raw.appendHeader('set-cookie', cookie);
  else reply.header('set-cookie', cookie);
}

export function registerLocale(app: FastifyInstance, o: LocaleOptions): void {
  const attributes = `Path=/; Max-Age=${oneYearSeconds}; SameSite=Lax${o.secureCookies ? '; Secure' : ''}`;
  app.addHook('onRequest', (req, reply, done) => {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const chosen =
      fromUiLocales(typeof query.ui_locales === 'string' ? query.ui_locales : undefined) ??
      supportedLocaleOf(typeof query.lang === 'string' ? query.lang : undefined);
    const cookie = readCookie(req.headers.cookie, languageCookie);
    if (chosen && chosen !== cookie) setCookie(req, reply, `${languageCookie}=${chosen}; ${attributes}`);
    const locale = chooseLocale(
      { cookie: chosen ?? cookie, acceptLanguage: req.headers['accept-language'] },
      o.defaultLocale,
    );
    let view = readView(req.headers.cookie);
    const toggled = toggledView(view, query.view);
    if (toggled) {
      view = toggled;
      setCookie(req, reply, `${viewCookie}=${encodeURIComponent(view.join(','))}; ${attributes}`);
    }
    pages.run({ locale, here: hereOf(app, req), view }, () => inLocale(locale, done));
  });
}
