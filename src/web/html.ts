// Server-rendered pages: every value passes through `escape` via the `html` tag, so user input never becomes markup.
export class Html {
  readonly value: string;
  constructor(value: string) { this.value = value; }
  toString() { return this.value; }
}

export function escape(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
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

const styles = `
:root{color-scheme:light;--accent:#1d4ed8;--error:#b91c1c;--muted:#4b5563}
*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff;color:#111827}
main{max-width:28rem;margin:2rem auto;padding:1.5rem}h1{font-size:1.6rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin-top:1rem}input[type=email],input[type=password],input[type=text]{width:100%;padding:.6rem;font:inherit;border:1px solid var(--muted);border-radius:.3rem;margin-top:.25rem}
button,.button{display:inline-block;margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;border-radius:.3rem;border:2px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:transparent;color:var(--accent)}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.hint{font-size:.9rem;color:var(--muted);margin:.25rem 0 0}.field-error{color:var(--error);font-weight:600;margin:.25rem 0 0}
.summary{border:2px solid var(--error);padding:.75rem;border-radius:.3rem;margin-bottom:1rem}.notice{border-left:4px solid var(--accent);padding:.5rem .75rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--muted);padding:.4rem;text-align:left;vertical-align:top}
`;

export function layout(options: { title: string; lang?: string; body: Html; wide?: boolean }): string {
  return '<!doctype html>' + html`<html lang="${options.lang ?? 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} – Tessera</title><style>${new Html(styles)}</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<main id="main"${options.wide ? new Html(' style="max-width:60rem"') : ''}>${options.body}</main></body></html>`.value;
}
