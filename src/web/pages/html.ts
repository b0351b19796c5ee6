// Server-rendered pages: every value passes through `escape` via the `html` tag, so user input never becomes markup.
// No inline style or script anywhere: the Content-Security-Policy (web/security-headers.ts) allows neither.
import { stylesheetHref } from '../stylesheet.ts';
import { supportedLocales, t, type MessageId } from '../../i18n/index.ts';
import { pageContext, type ViewOption } from '../locale.ts';

export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

// biome-ignore lint/suspicious/noShadowRestrictedNames: the pages' one escaping function; the global is never used.
export function escape(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escape(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

/** A link to this page with one switcher parameter set (`lang`, `view`), keeping the page's own query. */
function hereWith(name: string, value: string): string {
  const { here } = pageContext();
  return `${here}${here.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

// The language switcher: each language named in itself, as a link (works without script, from the keyboard).
function languageSwitcher(): Html {
  const { locale } = pageContext();
  return html`<nav class="languages" aria-label="${t('layout.language')}"><ul>${supportedLocales.map(
    (code) =>
      html`<li><a href="${hereWith('lang', code)}" hreflang="${code}" lang="${code}"${code === locale ? new Html(' aria-current="true"') : ''}>${t('language.name', {}, code)}</a></li>`,
  )}</ul></nav>`;
}

// The accessibility menu (issue 22): larger text and high contrast, kept per browser in a cookie. A disclosure
// (<details>) is opened with Enter or Space, and its links are plain links.
function accessibilityMenu(): Html {
  const { view } = pageContext();
  const toggle = (option: ViewOption, on: MessageId, off: MessageId) =>
    view.includes(option)
      ? html`<li><a href="${hereWith('view', `-${option}`)}">${t(off)}</a></li>`
      : html`<li><a href="${hereWith('view', option)}">${t(on)}</a></li>`;
  return html`<details class="a11y-menu"><summary>${t('a11y.menu')}</summary><ul>
${toggle('large-text', 'a11y.large_text_on', 'a11y.large_text_off')}
${toggle('high-contrast', 'a11y.contrast_on', 'a11y.contrast_off')}</ul></details>`;
}

export function layout(options: { title: string; body: Html; wide?: boolean }): string {
  const { locale, view } = pageContext();
  return (
    '<!doctype html>' +
    html`<html lang="${locale}"${view.length ? html` class="${view.join(' ')}"` : ''}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} – ${t('app.name')}</title><link rel="stylesheet" href="${stylesheetHref}"></head>
<body><a class="skip" href="#main">${t('app.skip')}</a>
<div class="tools">${languageSwitcher()}${accessibilityMenu()}</div>
<main id="main"${options.wide ? new Html(' class="wide"') : ''}>${options.body}</main></body></html>`.value
  );
}
