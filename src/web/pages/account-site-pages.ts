// The account page: profile, signed-in devices, apps with access, marketing choice, password, e-mail, data.
import { html, layout } from './html.ts';
import { formatDateTime, isMessageId, t, type MessageId } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';

export interface AccountPageModel {
  csrf: string;
  email: string;
  name: string | null;
  isCustomer: boolean;
  currentSessionUid: string;
  sessions: Array<{ uid: string; device: string; ip: string | null; signedInAt: number; apps: string[] }>;
  apps: Array<{
    clientId: string;
    name: string;
    logoUri?: string;
    policyUri?: string;
    tosUri?: string;
    scopes: string[];
  }>;
  marketing: boolean;
  otpTokens: Array<{ serial: string; type: string; state: string }>;
  showOtp: boolean;
  /** A directory person registers a new or lost phone at /otp/register (employee ID and SMS or helpdesk code). */
  otpRegisterHref?: string;
  notice?: { id: MessageId; params?: Record<string, string> };
  errors?: FieldError[];
  passwordMinLength: number;
  /** False for an account made with a social provider: forms that ask for the current password cannot be used. */
  hasPassword: boolean;
  /** Linked sign-in providers, and the providers one may link (src/social). */
  social?: {
    linked: Array<{ provider: SocialName; subject: string; email: string | null }>;
    providers: SocialName[];
  };
}

type SocialName = 'google' | 'microsoft' | 'facebook';
const providerName = (p: SocialName) => t(`social.provider.${p}`);

/** Sign-in providers: each linked one with Unlink, then "Link <provider>" for each one configured. */
function socialSection(m: AccountPageModel) {
  if (!m.social) return '';
  const csrf = hiddenInputs({ csrf: m.csrf });
  const { linked, providers } = m.social;
  return html`<section aria-labelledby="providers"><h2 id="providers">${t('social.linked_title')}</h2>
<p>${t('social.linked_intro')}</p>
${
  linked.length === 0
    ? html`<p>${t('social.linked_none')}</p>`
    : html`<ul>${linked.map(
        (l) => html`<li>${t('social.linked_item', { provider: providerName(l.provider), email: l.email ?? '' })}
<form method="post" action="/account/social/unlink">${csrf}${hiddenInputs({ provider: l.provider, subject: l.subject })}<button class="secondary" type="submit" aria-label="${t('social.unlink')}: ${providerName(l.provider)}">${t('social.unlink')}</button></form></li>`,
      )}</ul>`
}
${providers.map(
  (p) =>
    html`<form method="post" action="/account/social/${p}/link">${csrf}<button class="secondary" type="submit">${t('social.link', { provider: providerName(p) })}</button></form>`,
)}</section>`;
}

// Dates as the page's language writes them, in UTC (the server knows no one's time zone), and said to be UTC.
const when = (ms: number) => t('account.time_utc', { at: formatDateTime(ms) });
// A token's type and state in words; a value the catalogue does not know is shown as it is.
const tokenWord = (kind: 'type' | 'state', value: string) => {
  const id = `otp.${kind}.${value}`;
  return isMessageId(id) ? t(id) : value;
};
const errorFor = (errors: FieldError[] | undefined, name: string) => errors?.find((e) => e.field === name);

export function accountPage(m: AccountPageModel): string {
  const csrf = hiddenInputs({ csrf: m.csrf });
  return layout({
    title: t('account.title'),
    wide: true,
    body: html`<h1>${t('account.title')}</h1>
<p>${t('account.signed_in_as', { email: m.email })}${m.name ? html` (${m.name})` : ''}</p>
${m.notice ? html`<p class="notice" role="status">${t(m.notice.id, m.notice.params)}</p>` : ''}
${errorSummary(m.errors ?? [])}

<section aria-labelledby="sessions"><h2 id="sessions">${t('account.sessions')}</h2><p>${t('account.sessions_intro')}</p>
<table><thead><tr><th scope="col">${t('account.session_device')}</th><th scope="col">${t('account.session_address')}</th><th scope="col">${t('account.session_since')}</th><th scope="col">${t('account.session_apps')}</th><th scope="col"><span class="skip">${t('account.session_end')}</span></th></tr></thead><tbody>
${m.sessions.map(
  (
    s,
  ) => html`<tr><td>${s.device}${s.uid === m.currentSessionUid ? html` <strong>(${t('account.session_current')})</strong>` : ''}</td><td>${s.ip ?? ''}</td><td>${when(s.signedInAt)}</td><td>${s.apps.join(', ')}</td>
<td><form method="post" action="/account/sessions/${s.uid}/end">${csrf}<button class="secondary" type="submit" aria-label="${t('account.session_end')}: ${s.device}">${t('account.session_end')}</button></form></td></tr>`,
)}
</tbody></table>
<form method="post" action="/account/sessions/end-all">${csrf}<button type="submit">${t('account.sessions_end_all')}</button></form></section>

<section aria-labelledby="apps"><h2 id="apps">${t('account.apps')}</h2><p>${t('account.apps_intro')}</p>
${
  m.apps.length === 0
    ? html`<p>${t('account.apps_none')}</p>`
    : html`<ul>${m.apps.map(
        (a) => html`<li>
${a.logoUri ? html`<img src="${a.logoUri}" alt="" width="24" height="24"> ` : ''}<strong>${a.name}</strong> — ${t('account.app_data', { scopes: a.scopes.join(', ') })}
${a.policyUri ? html` · <a href="${a.policyUri}" rel="noopener noreferrer">${t('consent.policy', { app: a.name })}</a>` : ''}
${a.tosUri ? html` · <a href="${a.tosUri}" rel="noopener noreferrer">${t('consent.terms', { app: a.name })}</a>` : ''}
<form method="post" action="/account/apps/${encodeURIComponent(a.clientId)}/revoke">${csrf}<button class="secondary" type="submit" aria-label="${t('account.app_revoke')}: ${a.name}">${t('account.app_revoke')}</button></form></li>`,
      )}</ul>`
}
</section>

${
  m.showOtp
    ? html`<section aria-labelledby="otp"><h2 id="otp">${t('account.otp')}</h2><p>${t('account.otp_intro')}</p>
${m.otpTokens.length === 0 ? html`<p>${t('account.otp_none')}</p>` : html`<ul>${m.otpTokens.map((tok) => html`<li>${t('account.otp_token', { type: tokenWord('type', tok.type), serial: tok.serial, state: tokenWord('state', tok.state) })}</li>`)}</ul>`}
<form method="post" action="/account/otp/register">${csrf}<button type="submit">${t('account.otp_register')}</button></form>
${m.otpRegisterHref ? html`<p class="hint"><a href="${m.otpRegisterHref}">${t('otp.register_again')}</a></p>` : ''}</section>`
    : ''
}

${
  m.isCustomer
    ? html`<section aria-labelledby="marketing"><h2 id="marketing">${t('account.marketing')}</h2>
<form method="post" action="/account/marketing">${csrf}<p><input type="checkbox" id="subscribed" name="subscribed" value="on"${m.marketing ? html` checked` : ''}> <label for="subscribed" class="inline">${t('account.marketing_label')}</label></p>
<button type="submit">${t('account.marketing_save')}</button></form></section>

<section aria-labelledby="password"><h2 id="password">${t('account.password')}</h2>
<form method="post" action="/account/password" novalidate>${csrf}
${field({ name: 'current_password', label: 'account.current_password', type: 'password', autocomplete: 'current-password', error: errorFor(m.errors, 'current_password') })}
${field({ name: 'new_password', label: 'account.new_password', type: 'password', autocomplete: 'new-password', hint: t('signup.password_hint', { min: m.passwordMinLength }), error: errorFor(m.errors, 'new_password') })}
<button type="submit">${t('account.password_save')}</button></form></section>

<section aria-labelledby="email"><h2 id="email">${t('account.email')}</h2>
<form method="post" action="/account/email" novalidate>${csrf}
${field({ name: 'new_email', label: 'account.new_email', type: 'email', autocomplete: 'email', error: errorFor(m.errors, 'new_email') })}
${field({ name: 'email_current_password', label: 'account.current_password', type: 'password', autocomplete: 'current-password', error: errorFor(m.errors, 'email_current_password') })}
<button type="submit">${t('account.email_save')}</button></form><p class="hint">${t('account.lost_email')}</p></section>`
    : ''
}

${socialSection(m)}

<section aria-labelledby="data"><h2 id="data">${t('account.data')}</h2>
<p><a href="/account/export" download="account.json">${t('account.export')}</a></p>
${
  m.isCustomer
    ? html`<h3>${t('account.delete')}</h3><p>${t('account.delete_intro')}</p>
<form method="post" action="/account/delete" novalidate>${csrf}
${
  m.hasPassword
    ? field({
        name: 'delete_current_password',
        label: 'account.current_password',
        type: 'password',
        autocomplete: 'current-password',
        error: errorFor(m.errors, 'delete_current_password'),
      })
    : html`<p class="hint">${t('social.delete_recent')}</p>`
}
<button type="submit">${t('account.delete_confirm')}</button></form>`
    : ''
}</section>`,
  });
}

export function tokenActionPage(title: MessageId, action: string, token: string): string {
  return layout({
    title: t(title),
    body: html`<h1>${t(title)}</h1>
<form method="post" action="${action}">${hiddenInputs({ token })}<button type="submit" autofocus>${t('verify.submit')}</button></form>`,
  });
}

export function accountNoticePage(title: MessageId, message: MessageId, params: Record<string, string> = {}): string {
  return layout({
    title: t(title),
    body: html`<h1>${t(title)}</h1><p role="status">${t(message, params)}</p><p><a href="/account">${t('account.title')}</a></p>`,
  });
}

// Enough to tell devices apart on the page; never used for any decision.
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl|node|undici/i.test(userAgent)
            ? 'Program'
            : 'Browser';
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Android/.test(userAgent)
          ? 'Android'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
}
