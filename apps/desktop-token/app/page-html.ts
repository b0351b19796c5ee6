// The local page's HTML: one small layout, forms without scripts, and one script (by nonce) that counts the
// seconds down and fetches the next code. Every value is escaped.
import { currentLocale, t } from '../../../src/i18n/index.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface Layout {
  base: string;
  nonce: string;
}

const nav = (base: string) =>
  (
    [
      ['', 'desktop.nav_code'],
      ['register', 'desktop.nav_register'],
      ['change-pin', 'desktop.nav_change_pin'],
      ['about', 'desktop.nav_about'],
    ] as const
  )
    .map(([path, id]) => `<a href="${base}${path}">${esc(t(id))}</a>`)
    .join('');

export function layout(l: Layout, title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="${currentLocale() ?? 'en'}"><head><meta charset="utf-8"><title>${esc(title)} · ${esc(t('desktop.app_name'))}</title>
<meta name="viewport" content="width=device-width">
<style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}
.code{font:700 2.6rem ui-monospace,monospace;letter-spacing:.2em}.warn{background:#fff3cd;padding:.6rem}
.error{background:#f8d7da;padding:.6rem}label{display:block;margin:.8rem 0 .2rem}input{font-size:1rem;padding:.3rem}
nav a{margin-right:1rem}button{margin-top:1rem;font-size:1rem}</style></head><body>
<nav>${nav(l.base)}</nav>
<h1>${esc(title)}</h1>${body}${script ? `<script nonce="${l.nonce}">${script}</script>` : ''}</body></html>`;
}

export const message = (kind: 'error' | 'warn', text: string | undefined) =>
  text ? `<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${esc(text)}</p>` : '';

export interface Field {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'url';
  value?: string;
  autocomplete?: string;
}

export function form(action: string, fields: Field[], submit: string, hidden: Record<string, string> = {}): string {
  const inputs = fields
    .map(
      (f) =>
        `<label for="${f.name}">${esc(f.label)}</label><input id="${f.name}" name="${f.name}" type="${f.type ?? 'text'}"` +
        ` value="${esc(f.value ?? '')}" autocomplete="${f.autocomplete ?? 'off'}" required>`,
    )
    .join('');
  const hiddenInputs = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${action}">${hiddenInputs}${inputs}<div><button>${esc(submit)}</button></div></form>`;
}

export function codeView(code: { code: string; secondsLeft: number; tokenSerial: string }): string {
  // The seconds are a span the script counts down; the sentence around it is the catalogue's.
  const left = esc(t('desktop.seconds_left', { left: '\u0000', serial: code.tokenSerial })).replace(
    '\u0000',
    `<span id="left">${code.secondsLeft}</span>`,
  );
  return `<p class="code" id="code" aria-live="polite">${esc(code.code)}</p>
<p>${left}</p>
<form method="post" action="lock"><button>${esc(t('desktop.lock'))}</button></form>`;
}

/** Counts down each second; fetches the new code when the step changes (the page's own JSON, same secret URL). */
export const codeScript = `const left=document.getElementById('left'),code=document.getElementById('code');
async function refresh(){const r=await fetch('code.json',{cache:'no-store'});if(!r.ok){location.reload();return}
const c=await r.json();code.textContent=c.code;left.textContent=c.secondsLeft}
setInterval(()=>{const n=Number(left.textContent)-1;if(n<=0)refresh();else left.textContent=n},1000);`;

export { esc };
