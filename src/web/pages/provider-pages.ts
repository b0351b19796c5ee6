// The pages oidc-provider shows itself (RP-initiated logout and its result, an OAuth error it cannot send back to the
// app), rendered here and handed to the provider as options by the composition root (src/server.ts).
import { html, layout, Html } from './html.ts';
import { t } from '../../i18n/index.ts';

/** "Sign out?": `form` is oidc-provider's own hidden form (its action and xsrf token), the buttons submit it. */
export function logoutPage(form: string): string {
  return layout({
    title: t('logout.title'),
    body: html`<h1>${t('logout.title')}</h1><p>${t('logout.question')}</p>
${new Html(form)}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">${t('logout.yes')}</button>
<button class="secondary" type="submit" form="op.logoutForm">${t('logout.no')}</button>`,
  });
}

export function loggedOutPage(): string {
  const body = html`<h1>${t('logout.done_title')}</h1><p role="status">${t('logout.done')}</p>`;
  return layout({ title: t('logout.done_title'), body });
}

/** An OAuth error with nowhere to go (no valid redirect_uri): its code and description, and the way back. */
export function oauthErrorPage(out: { error: string; error_description?: string }): string {
  const description = out.error_description ? html`<p>${out.error_description}</p>` : '';
  return layout({
    title: t('error.title'),
    body: html`<h1>${t('error.title')}</h1>
<div class="summary" role="alert"><p><strong>${out.error}</strong></p>${description}</div>
<p>${t('error.back')}</p>`,
  });
}

/** The three, as `ProviderOptions.pages` takes them. */
export const providerPages = { logout: logoutPage, loggedOut: loggedOutPage, error: oauthErrorPage };
