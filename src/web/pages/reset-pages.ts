// Reset password: e-mail address and an accessible proof-of-work check, then a new password from the mailed link.
import { html, layout } from './html.ts';
import { t } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';
import { messagePage } from './account-pages.ts';

const errorFor = (errors: FieldError[] | undefined, name: string) => errors?.find((e) => e.field === name);

export function resetRequestPage(c: {
  csrf: string;
  challenge: unknown;
  email?: string;
  errors?: FieldError[];
}): string {
  const captchaError = errorFor(c.errors, 'captcha');
  return layout({
    title: t('reset.title'),
    body: html`<h1>${t('reset.title')}</h1><p>${t('reset.intro')}</p>
${errorSummary(c.errors ?? [])}
<form method="post" action="/reset-password" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'email', label: 'signin.email', type: 'email', autocomplete: 'email', value: c.email, error: errorFor(c.errors, 'email'), autofocus: true })}
<fieldset id="captcha" data-captcha="${JSON.stringify(c.challenge)}" data-working="${t('captcha.working')}" data-done="${t('captcha.done')}" data-failed="${t('captcha.failed')}"${captchaError ? html` aria-describedby="captcha-error"` : ''}>
<legend>${t('reset.captcha')}</legend>
${captchaError ? html`<p class="field-error" id="captcha-error">${t(captchaError.message)}</p>` : ''}
<p data-captcha-status role="status" aria-live="polite"></p><noscript><p>${t('captcha.noscript')}</p></noscript>
<input type="hidden" name="captcha" value=""></fieldset>
<button type="submit">${t('reset.submit')}</button></form>
<script src="/static/captcha.js" defer></script>`,
  });
}

export function resetNewPasswordPage(c: {
  csrf: string;
  token: string;
  passwordMinLength: number;
  errors?: FieldError[];
}): string {
  return layout({
    title: t('reset.new_title'),
    body: html`<h1>${t('reset.new_title')}</h1>
${errorSummary(c.errors ?? [])}
<form method="post" action="/reset-password/new" novalidate>${hiddenInputs({ csrf: c.csrf, token: c.token })}
${field({ name: 'password', label: 'account.new_password', type: 'password', autocomplete: 'new-password', hint: t('signup.password_hint', { min: c.passwordMinLength }), error: errorFor(c.errors, 'password'), autofocus: true })}
<button type="submit">${t('reset.new_submit')}</button></form>`,
  });
}

/** The same words whether or not the address has an account (checklist T21). */
export function resetSentPage(email: string): string {
  const body = html`<h1>${t('reset.title')}</h1><p role="status">${t('reset.sent', { email })}</p>`;
  return layout({ title: t('reset.title'), body });
}

export function resetDonePage(): string {
  const signIn = html`<p><a class="button" href="/account/login">${t('account.sign_in')}</a></p>`;
  return messagePage('reset.new_title', 'reset.done', signIn);
}
