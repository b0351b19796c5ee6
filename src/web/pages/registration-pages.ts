// OTP registration at /otp/register: IT code and password, the employee ID, the SMS or helpdesk code; then the
// shared enrolment page (otp-pages.ts) shows the QR code, and the done page says which earlier app stopped working.
import { html, layout } from './html.ts';
import { t, type MessageId } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';
import { messagePage } from './account-pages.ts';
import type { CodeStep } from '../../registration/index.ts';

const errorFor = (errors: FieldError[] | undefined, name: string) => errors?.find((e) => e.field === name);

export function registerStartPage(c: { csrf: string; name?: string; errors?: FieldError[] }): string {
  return layout({
    title: t('register.title'),
    body: html`<h1>${t('register.title')}</h1><p>${t('register.intro')}</p>
${errorSummary(c.errors ?? [])}
<form method="post" action="/otp/register" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'name', label: 'register.name', autocomplete: 'username', value: c.name, hint: t('register.name_hint'), error: errorFor(c.errors, 'name'), autofocus: true })}
${field({ name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password', error: errorFor(c.errors, 'password') })}
<button type="submit">${t('register.start')}</button></form>`,
  });
}

export function registerEmployeePage(c: { csrf: string; hint: string; errors?: FieldError[] }): string {
  return layout({
    title: t('register.employee_title'),
    body: html`<h1>${t('register.employee_title')}</h1><p>${t('register.employee_intro')}</p>
${errorSummary(c.errors ?? [])}
<form method="post" action="/otp/register/employee-id" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'employee_id', label: 'register.employee_id', autocomplete: 'off', hint: c.hint, error: errorFor(c.errors, 'employee_id'), autofocus: true })}
<button type="submit">${t('register.start')}</button></form>`,
  });
}

const smsMessage: Record<CodeStep['sms'], MessageId> = {
  sent: 'register.code_sent',
  late: 'register.code_late',
  failed: 'register.code_failed',
  no_mobile: 'register.code_no_mobile',
  not_configured: 'register.code_no_sms',
};

export function registerCodePage(c: { csrf: string; step: CodeStep; errors?: FieldError[] }): string {
  const { sms, maskedNumber } = c.step;
  const canResend = sms === 'sent' || sms === 'late' || sms === 'failed';
  return layout({
    title: t('register.code_title'),
    body: html`<h1>${t('register.code_title')}</h1>
<p role="status" id="sms-state" data-sms="${sms}">${t(smsMessage[sms], { number: maskedNumber ?? '' })}</p>
${errorSummary(c.errors ?? [])}
<form method="post" action="/otp/register/code" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'code', label: 'register.code', autocomplete: 'one-time-code', hint: t('register.code_hint'), error: errorFor(c.errors, 'code'), autofocus: true })}
<button type="submit">${t('register.code_submit')}</button></form>
${canResend ? html`<p class="hint">${t('register.not_received')}</p><form method="post" action="/otp/register/code/resend">${hiddenInputs({ csrf: c.csrf })}<button class="secondary" type="submit">${t('register.resend')}</button></form>` : ''}`,
  });
}

/** The registration is done; an earlier app that stopped working is named (the person also gets a mail). */
export function registerDonePage(c: { serial: string; revoked: string[] }): string {
  const replaced =
    c.revoked.length > 0 ? html`<p id="replaced">${t('register.replaced', { revoked: c.revoked.join(', ') })}</p>` : '';
  return layout({
    title: t('register.done_title'),
    body: html`<h1>${t('register.done_title')}</h1><p role="status">${t('register.done', { serial: c.serial })}</p>${replaced}`,
  });
}

/** The registration is over (expired, spent, completed, or not this browser's): start again from the password. */
export function registerEndedPage(): string {
  return messagePage(
    'register.title',
    'registration.flow_expired',
    html`<p><a class="button" href="/otp/register">${t('register.again')}</a></p>`,
  );
}
