// The person page's helpdesk parts beyond tokens: resync a drifting token from two codes, what the person is signed
// in to now (browsers and VPN connections) with "sign out everywhere", and the link to their older events. Every
// form carries the console's CSRF token and asks for a reason.
import { t } from '../../i18n/index.ts';
import { field, hiddenInputs, type FieldError } from './forms.ts';
import { html, type Html } from './html.ts';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export interface SignedInModel {
  sessions: Array<{
    signedInAt: number;
    lastSeenAt: number | null;
    userAgent: string | null;
    ip: string | null;
    apps: string[];
  }>;
  vpnSessions: Array<{
    client: string;
    startedAt: number;
    framedAddress: string | null;
    callingStation: string | null;
  }>;
}

interface Context {
  csrf: string;
  query: string;
  errors?: FieldError[];
}

const errorOf = (c: Context, name: string) => c.errors?.find((e) => e.field === name);

export function resyncSection(c: Context, serials: string[]): Html | '' {
  if (serials.length === 0) return '';
  const input = (name: string, label: 'console.resync_first' | 'console.resync_second') =>
    field({ name, label, inputmode: 'numeric', autocomplete: 'off', error: errorOf(c, name) });
  return html`<section aria-labelledby="resync"><h2 id="resync">${t('console.resync')}</h2><p>${t('console.resync_intro')}</p>
<form method="post" action="/console/person/resync">${hiddenInputs({ csrf: c.csrf, q: c.query })}
${field({ name: 'serial-resync', label: 'console.resync_serial', value: serials[0], error: errorOf(c, 'serial-resync') })}
${input('resync-first', 'console.resync_first')}${input('resync-second', 'console.resync_second')}
${field({ name: 'reason-resync', label: 'console.reason_resync', error: errorOf(c, 'reason-resync') })}
<button type="submit">${t('console.resync_button')}</button></form></section>`;
}

function browsers(m: SignedInModel): Html {
  if (m.sessions.length === 0) return html`<p>${t('console.no_sso_sessions')}</p>`;
  return html`<table><caption>${t('console.sso_sessions')}</caption><thead><tr><th scope="col">${t('console.signed_in_at')}</th><th scope="col">${t('console.last_seen')}</th><th scope="col">${t('console.browser')}</th><th scope="col">${t('console.address')}</th><th scope="col">${t('console.session_apps')}</th></tr></thead><tbody>
${m.sessions.map((s) => html`<tr><td>${when(s.signedInAt)}</td><td>${s.lastSeenAt === null ? '' : when(s.lastSeenAt)}</td><td>${s.userAgent ?? ''}</td><td>${s.ip ?? ''}</td><td>${s.apps.join(', ')}</td></tr>`)}</tbody></table>`;
}

function vpn(m: SignedInModel): Html {
  if (m.vpnSessions.length === 0) return html`<p>${t('console.no_vpn_sessions')}</p>`;
  return html`<table><caption>${t('console.vpn_sessions')}</caption><thead><tr><th scope="col">${t('console.vpn_gateway')}</th><th scope="col">${t('console.vpn_started')}</th><th scope="col">${t('console.vpn_address')}</th><th scope="col">${t('console.address')}</th></tr></thead><tbody>
${m.vpnSessions.map((s) => html`<tr><td>${s.client}</td><td>${when(s.startedAt)}</td><td>${s.framedAddress ?? ''}</td><td>${s.callingStation ?? ''}</td></tr>`)}</tbody></table>`;
}

/** Browsers and VPN connections now, and signing the person out of every browser and app (not the VPN's gateway). */
export function signedInSection(c: Context, m: SignedInModel): Html {
  return html`<section aria-labelledby="sessions"><h2 id="sessions">${t('console.sessions')}</h2>${browsers(m)}${vpn(m)}
<form method="post" action="/console/person/end-sessions">${hiddenInputs({ csrf: c.csrf, q: c.query })}
${field({ name: 'reason-sessions', label: 'console.reason_sessions', error: errorOf(c, 'reason-sessions') })}
<button type="submit" class="secondary">${t('console.end_sessions')}</button></form></section>`;
}

/** The next page back of the audit log's newest-first list (keyset: `before` the `id` of the last one shown). */
export function olderLink(path: string, params: Record<string, string>, lastSeq: number | undefined): Html | '' {
  if (lastSeq === undefined) return '';
  const query = new URLSearchParams({ ...params, before: String(lastSeq) });
  return html`<p><a href="${path}?${query.toString()}">${t('console.older')}</a></p>`;
}
