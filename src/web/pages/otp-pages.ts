// The one-time-code step of a sign-in: enter the code, or register the OTP app first (QR code and typed key).
import { html, layout } from './html.ts';
import { t } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';
import type { Enrolment } from '../../otp/index.ts';
import QRCode from 'qrcode';

export function otpCodePage(c: {
  action: string;
  csrf: string;
  appName: string;
  errors?: FieldError[];
  /** Where a person whose phone is lost or new registers the app again (/otp/register), when there is such a page. */
  registerHref?: string;
}): string {
  return layout({
    title: t('otp.title'),
    body: html`<h1>${t('otp.title')}</h1><p>${t('otp.intro', { app: c.appName })}</p>
${errorSummary(c.errors ?? [])}
<form method="post" action="${c.action}" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'code', label: 'otp.code', autocomplete: 'one-time-code', inputmode: 'numeric', error: c.errors?.find((e) => e.field === 'code'), autofocus: true })}
<button type="submit">${t('otp.submit')}</button></form>
${c.registerHref ? html`<p class="hint"><a href="${c.registerHref}">${t('otp.register_again')}</a></p>` : ''}`,
  });
}

/** What the enrolment page shows besides the registration itself. */
export interface EnrolPageModel {
  action: string;
  /** "Remind me later", where the sign-in may go on without the code. */
  laterAction?: string;
  csrf: string;
  appName: string;
  required: boolean;
  errors?: FieldError[];
}

/**
 * The one page that registers an OTP app, in a sign-in and on the account page alike: the QR code and the typed key
 * of this registration, and the form for its first code (which confirms it).
 */
export async function otpEnrolPage(
  c: EnrolPageModel,
  enrolment: Pick<Enrolment, 'tokenId' | 'secretBase32' | 'otpauthUri'>,
): Promise<string> {
  const svg = await QRCode.toString(enrolment.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const qr = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  const groupsOfFour = enrolment.secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
  return layout({
    title: t('otp.enrol_title'),
    body: html`<h1>${t('otp.enrol_title')}</h1>
<p>${t(c.required ? 'otp.enrol_required' : 'otp.enrol_suggested', { app: c.appName })}</p>
${errorSummary(c.errors ?? [])}
<ol><li>${t('otp.enrol_step_app')}</li>
<li>${t('otp.enrol_step_scan')}<br><img src="${qr}" alt="${t('otp.enrol_qr_alt')}" width="200" height="200">
<p>${t('otp.enrol_key')}: <code id="otp-key" aria-label="${t('otp.enrol_key')}">${groupsOfFour}</code></p></li>
<li>${t('otp.enrol_step_code')}</li></ol>
<p class="hint">${t('otp.enrol_note')}</p>
<form method="post" action="${c.action}" novalidate>${hiddenInputs({ csrf: c.csrf, enrolment: enrolment.tokenId })}
${field({ name: 'code', label: 'otp.code', autocomplete: 'one-time-code', inputmode: 'numeric', error: c.errors?.find((e) => e.field === 'code') })}
<button type="submit">${t('otp.submit')}</button></form>
${c.laterAction ? html`<form method="post" action="${c.laterAction}">${hiddenInputs({ csrf: c.csrf })}<button class="secondary" type="submit">${t('otp.later')}</button></form>` : ''}`,
  });
}
