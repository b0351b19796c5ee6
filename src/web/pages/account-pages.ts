// The sign-in, sign-up, confirmation and consent pages. Each takes what it shows and returns a whole document.
import { html, layout, type Html } from './html.ts';
import { t, type MessageId } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';

export interface FormContext {
  action: string;
  csrf: string;
  appName?: string;
  errors?: FieldError[];
  values?: Record<string, string>;
  links: { signIn: string; signUp: string; reset?: string; cancel?: string };
  passwordMinLength: number;
  /** A directory is configured: the first field also takes an IT code. */
  workforce?: boolean;
  /** The configured social providers: each a button posting to its `action` (src/oidc/interactions/social.ts). */
  social?: Array<{ provider: SocialName; action: string }>;
}

type SocialName = 'google' | 'microsoft' | 'facebook';

/** "Or continue with": one form per provider, so starting a trip needs this page's CSRF token. */
export function socialButtons(csrf: string, providers: FormContext['social']) {
  if (!providers?.length) return '';
  return html`<section aria-labelledby="social-title"><h2 id="social-title">${t('social.or')}</h2>
${providers.map(
  (p) =>
    html`<form method="post" action="${p.action}">${hiddenInputs({ csrf })}<button class="secondary" type="submit">${t('social.continue', { provider: t(`social.provider.${p.provider}`) })}</button></form>`,
)}</section>`;
}

const errorFor = (errors: FieldError[] | undefined, name: string) => errors?.find((e) => e.field === name);
const cancelForm = (csrf: string, href?: string) =>
  href
    ? html`<form method="post" action="${href}">${hiddenInputs({ csrf })}<button class="secondary" type="submit">${t('signin.cancel')}</button></form>`
    : '';

export function signInPage(c: FormContext): string {
  return layout({
    title: t('signin.title'),
    body: html`<h1>${t('signin.title')}</h1>
<p>${c.appName ? t('signin.to_app', { app: c.appName }) : t('signin.intro')}</p>
${errorSummary(c.errors ?? [])}
<form method="post" action="${c.action}" novalidate>${hiddenInputs({ csrf: c.csrf })}
${
  c.workforce
    ? field({
        name: 'email',
        label: 'signin.identifier',
        autocomplete: 'username',
        hint: t('signin.identifier_hint'),
        value: c.values?.email,
        error: errorFor(c.errors, 'email'),
        autofocus: true,
      })
    : field({
        name: 'email',
        label: 'signin.email',
        type: 'email',
        autocomplete: 'username',
        value: c.values?.email,
        error: errorFor(c.errors, 'email'),
        autofocus: true,
      })
}
${field({ name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password', error: errorFor(c.errors, 'password') })}
<button type="submit">${t('signin.submit')}</button></form>
${c.links.reset ? html`<p><a href="${c.links.reset}">${t('signin.forgot')}</a></p>` : ''}
${socialButtons(c.csrf, c.social)}
<p>${t('signin.no_account')} <a href="${c.links.signUp}">${t('signin.create')}</a></p>
${cancelForm(c.csrf, c.links.cancel)}`,
  });
}

export function signUpPage(c: FormContext): string {
  return layout({
    title: t('signup.title'),
    body: html`<h1>${t('signup.title')}</h1>
${c.appName ? html`<p>${t('signin.to_app', { app: c.appName })}</p>` : ''}
${errorSummary(c.errors ?? [])}
<form method="post" action="${c.action}" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'email', label: 'signin.email', type: 'email', autocomplete: 'email', value: c.values?.email, error: errorFor(c.errors, 'email'), autofocus: true })}
${field({ name: 'name', label: 'signup.name', autocomplete: 'name', value: c.values?.name, required: false })}
${field({ name: 'password', label: 'signin.password', type: 'password', autocomplete: 'new-password', hint: t('signup.password_hint', { min: c.passwordMinLength }), error: errorFor(c.errors, 'password') })}
<p><input type="checkbox" id="marketing" name="marketing" value="on"${c.values?.marketing === 'on' ? html` checked` : ''}> <label for="marketing" class="inline plain">${t('signup.marketing')}</label></p>
<button type="submit">${t('signup.submit')}</button></form>
${socialButtons(c.csrf, c.social)}
<p>${t('signup.have_account')} <a href="${c.links.signIn}">${t('signin.submit')}</a></p>
${cancelForm(c.csrf, c.links.cancel)}`,
  });
}

export function verifyPage(c: {
  action: string;
  resendAction: string;
  csrf: string;
  verificationId: string;
  email: string;
  errors?: FieldError[];
  notice?: MessageId;
}): string {
  return layout({
    title: t('verify.title'),
    body: html`<h1>${t('verify.title')}</h1>
${c.notice ? html`<p class="notice" role="status">${t(c.notice)}</p>` : ''}
${errorSummary(c.errors ?? [])}
<p>${t('verify.sent', { email: c.email })}</p>
<p>${t('verify.spam')}</p>
<form method="post" action="${c.action}" novalidate>${hiddenInputs({ csrf: c.csrf, verification: c.verificationId, email: c.email })}
${field({ name: 'code', label: 'verify.code', autocomplete: 'one-time-code', inputmode: 'numeric', error: errorFor(c.errors, 'code'), autofocus: true })}
<button type="submit">${t('verify.submit')}</button></form>
<form method="post" action="${c.resendAction}">${hiddenInputs({ csrf: c.csrf, verification: c.verificationId })}
<button class="secondary" type="submit">${t('verify.resend')}</button></form>`,
  });
}

export function consentPage(c: {
  action: string;
  denyAction: string;
  csrf: string;
  appName: string;
  logoUri?: string;
  policyUri?: string;
  tosUri?: string;
  scopes: string[];
}): string {
  const described = c.scopes.filter((s) => ['openid', 'email', 'profile', 'groups', 'offline_access'].includes(s));
  return layout({
    title: t('consent.title', { app: c.appName }),
    body: html`<h1>${c.logoUri ? html`<img src="${c.logoUri}" alt="" width="48" height="48"> ` : ''}${t('consent.title', { app: c.appName })}</h1>
<p>${t('consent.intro', { app: c.appName })}</p>
<ul>${described.map((s) => html`<li>${t(`consent.scope.${s}` as MessageId)}</li>`)}</ul>
${c.policyUri ? html`<p><a href="${c.policyUri}" rel="noopener noreferrer">${t('consent.policy', { app: c.appName })}</a></p>` : ''}
${c.tosUri ? html`<p><a href="${c.tosUri}" rel="noopener noreferrer">${t('consent.terms', { app: c.appName })}</a></p>` : ''}
<form method="post" action="${c.action}">${hiddenInputs({ csrf: c.csrf })}<button type="submit">${t('consent.allow')}</button></form>
<form method="post" action="${c.denyAction}">${hiddenInputs({ csrf: c.csrf })}<button class="secondary" type="submit">${t('consent.deny')}</button></form>`,
  });
}

export function messagePage(
  title: MessageId,
  message: MessageId,
  extra?: Html,
  params?: Record<string, string | number>,
): string {
  const body = html`<h1>${t(title)}</h1><p role="status">${t(message, params)}</p>${extra ?? ''}`;
  return layout({ title: t(title), body });
}

export function confirmLinkPage(c: { action: string; token: string }): string {
  return layout({
    title: t('verify.title'),
    body: html`<h1>${t('verify.title')}</h1>
<form method="post" action="${c.action}">${hiddenInputs({ token: c.token })}<button type="submit" autofocus>${t('verify.submit')}</button></form>`,
  });
}

export function confirmUnsubscribePage(token: string): string {
  return layout({
    title: t('unsubscribe.title'),
    body: html`<h1>${t('unsubscribe.title')}</h1><p>${t('unsubscribe.question')}</p>
<form method="post" action="/unsubscribe?t=${encodeURIComponent(token)}"><button type="submit" autofocus>${t('unsubscribe.submit')}</button></form>`,
  });
}

/** Tessera's home: sign in or create an account, and in demo mode the local mailbox. */
export function homePage(c: { mailbox: boolean }): string {
  return messagePage(
    'home.title',
    'home.intro',
    html`
<p><a class="button" href="/account/login">${t('account.sign_in')}</a> \
<a class="button" href="/account/signup">${t('account.create')}</a></p>
${c.mailbox ? html`<p><a href="/dev/mailbox">${t('mailbox.title')}</a></p>` : ''}`,
  );
}

/** A provider vouched for an address that has an account: its password links the two (T23: never automatically). */
export function socialProvePage(c: {
  action: string;
  mailAction: string;
  continueHref: string;
  csrf: string;
  email: string;
  provider: SocialName;
  errors?: FieldError[];
  mailed?: boolean;
}): string {
  const provider = t(`social.provider.${c.provider}`);
  return layout({
    title: t('social.prove_title', { provider }),
    body: html`<h1>${t('social.prove_title', { provider })}</h1>
${errorSummary(c.errors ?? [])}
<p>${t('social.prove_intro', { email: c.email, provider })}</p>
<form method="post" action="${c.action}" novalidate>${hiddenInputs({ csrf: c.csrf })}
${field({ name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password', error: errorFor(c.errors, 'password'), autofocus: true })}
<button type="submit">${t('social.prove_submit')}</button></form>
${
  c.mailed
    ? html`<p class="notice" role="status">${t('social.mail_sent', { email: c.email })}</p>
<p><a href="${c.continueHref}">${t('social.continue_after_mail')}</a></p>`
    : html`<form method="post" action="${c.mailAction}">${hiddenInputs({ csrf: c.csrf })}<button class="secondary" type="submit">${t('social.prove_mail')}</button></form>`
}
<p><a href="/reset-password">${t('signin.forgot')}</a></p>`,
  });
}

/** The mailed link's page: a button, so a mail scanner opening the link links nothing. */
export function socialConfirmPage(c: { action: string; token?: string; done?: boolean }): string {
  return layout({
    title: t('social.confirm_title'),
    body: html`<h1>${t('social.confirm_title')}</h1>
${
  c.done
    ? html`<p role="status">${t('social.confirm_done')}</p>`
    : html`<form method="post" action="${c.action}">${hiddenInputs({ token: c.token ?? '' })}<button type="submit" autofocus>${t('social.confirm_submit')}</button></form>`
}`,
  });
}
