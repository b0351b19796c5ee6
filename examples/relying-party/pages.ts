// The app's only pages, server-rendered and usable without JavaScript: start page (signed in or out) and error page.
import { html, type Html } from './html.ts';
import { messages as m } from './messages.ts';
import type { Theme } from './options.ts';
import type { Session } from './sessions.ts';
import type { DemoError } from './errors.ts';

export interface Look {
  name: string;
  theme: Theme;
}

function layout(look: Look, title: string, body: Html): string {
  const { accent, background } = look.theme;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  :root { --accent: ${accent}; --bg: ${background}; }
  body { margin: 0; font: 1.0625rem/1.5 system-ui, sans-serif; color: #1a1a1a; background: var(--bg); }
  header { background: var(--accent); color: #fff; padding: 1rem 1.5rem; }
  header p { margin: 0; font-size: 1.375rem; font-weight: 700; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem; }
  .actions { display: flex; gap: .75rem; flex-wrap: wrap; margin: 1.25rem 0; }
  .button, button { display: inline-block; font: inherit; font-weight: 600; padding: .6rem 1.1rem; border-radius: .4rem;
    border: 2px solid var(--accent); background: var(--accent); color: #fff; text-decoration: none; cursor: pointer; }
  .button.secondary { background: #fff; color: var(--accent); }
  /* WCAG 2.4.7: a focus ring that shows on both the accent and the white background. */
  a:focus-visible, button:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 3px; box-shadow: 0 0 0 6px #fff; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; padding: 1rem; border-radius: .4rem; }
  dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
  .alert { background: #fff; border-left: 6px solid #b3261e; padding: .75rem 1rem; }
</style>
</head>
<body>
<header><p>${look.name}</p></header>
<main>
${body}
</main>
</body>
</html>`.value;
}

export function signedInPage(look: Look, session: Session): string {
  const { sub, email, amr, acr } = session.claims;
  return layout(
    look,
    look.name,
    html`<h1>${m['home.signed_in_as']} <span data-testid="email">${email ?? sub}</span></h1>
<h2>${m['home.claims']}</h2>
<dl>
  <dt>sub</dt><dd>${sub}</dd>
  ${email !== undefined && html`<dt>email</dt><dd>${email}</dd>`}
  ${amr !== undefined && html`<dt>amr</dt><dd>${amr.join(', ')}</dd>`}
  ${acr !== undefined && html`<dt>acr</dt><dd>${acr}</dd>`}
</dl>
<form method="post" action="/logout" class="actions">
  <input type="hidden" name="csrf" value="${session.csrf}">
  <button type="submit">${m['home.log_out']}</button>
</form>`,
  );
}

export function signedOutPage(look: Look): string {
  return layout(
    look,
    look.name,
    html`<h1>${look.name}</h1>
<p>${m['home.signed_out']}</p>
<p>${m['home.sso_hint']}</p>
<p class="actions">
  <a class="button" href="/login">${m['home.sign_in']}</a>
  <a class="button secondary" href="/signup">${m['home.create_account']}</a>
</p>`,
  );
}

export function errorPage(look: Look, error: DemoError): string {
  return layout(
    look,
    `${m['error.title']} — ${look.name}`,
    html`<h1>${m['error.title']}</h1>
<div class="alert" role="alert" data-code="${error.code}">
  <p>${m[error.code]}</p>
  ${error.detail !== undefined && html`<p><code>${error.detail}</code></p>`}
</div>
<p><a class="button secondary" href="/">${m['error.home']}</a></p>`,
  );
}
