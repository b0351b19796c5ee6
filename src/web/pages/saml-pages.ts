// The page that carries a SAML Response to the app (HTTP-POST binding, SAML bindings §3.5): a form posted by a
// script of this origin (no inline script under the CSP), with a button for a browser that runs none.
import { t } from '../../i18n/index.ts';
import { hiddenInputs } from './forms.ts';
import { html, layout } from './html.ts';

export const samlPostScriptPath = '/saml/post.js';
export const samlPostScript = "document.getElementById('saml-post').submit();\n";

export function samlPostPage(c: { action: string; fields: Record<string, string | undefined> }): string {
  const fields = Object.fromEntries(Object.entries(c.fields).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return layout({
    title: t('saml.continue_title'),
    body: html`<h1>${t('saml.continue_title')}</h1>
<form id="saml-post" method="post" action="${c.action}">${hiddenInputs(fields)}<p>${t('saml.continue')}</p><button type="submit">${t('saml.continue_button')}</button></form>
<script src="${samlPostScriptPath}" defer></script>`,
  });
}
