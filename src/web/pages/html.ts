// Server-rendered pages: every value passes through `escape` via the `html` tag, so user input never becomes markup.
// No inline style or script anywhere: the Content-Security-Policy (web/security-headers.ts) allows neither.
import { stylesheetHref } from '../stylesheet.ts';

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

export function layout(options: { title: string; lang?: string; body: Html; wide?: boolean }): string {
  return (
    '<!doctype html>' +
    html`<html lang="${options.lang ?? 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} – Tessera</title><link rel="stylesheet" href="${stylesheetHref}"></head>
<body><a class="skip" href="#main">Skip to content</a>
<main id="main"${options.wide ? new Html(' class="wide"') : ''}>${options.body}</main></body></html>`.value
  );
}
