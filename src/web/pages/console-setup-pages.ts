// The first administrator's setup page: the one-time link's account chooses a password, and is told what comes next
// (signing in registers an authenticator app, as every console sign-in asks for its code).
import { t } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';
import { html, layout } from './html.ts';

export function consoleSetupPage(c: {
  token: string;
  account: string;
  passwordMinLength: number;
  errors?: FieldError[];
}): string {
  const error = c.errors?.find((e) => e.field === 'password');
  return layout({
    title: t('console.setup_title'),
    body: html`<h1>${t('console.setup_title')}</h1>
<p>${t('console.setup_intro', { account: c.account })}</p>
<ol><li>${t('console.setup_step_password')}</li><li>${t('console.setup_step_app')}</li><li>${t('console.setup_step_console')}</li></ol>
${errorSummary(c.errors ?? [])}
<form method="post" action="/console/setup" novalidate>${hiddenInputs({ token: c.token })}
${field({ name: 'password', label: 'account.new_password', type: 'password', autocomplete: 'new-password', hint: t('signup.password_hint', { min: c.passwordMinLength }), error, autofocus: true })}
<button type="submit">${t('console.setup_submit')}</button></form>`,
  });
}
