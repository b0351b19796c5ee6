// The console's pages for IT support: find a person, see their tokens and what happened to their sign-ins, and act
// on a token with a reason. Every value is escaped by the html tag; forms carry the CSRF token of the console session.
import { t, type MessageId } from '../../i18n/index.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';
import { html, layout, type Html } from './html.ts';
import {
  olderLink,
  pager,
  resyncSection,
  signedInSection,
  type Paging,
  type SignedInModel,
} from './console-helpdesk-pages.ts';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export interface ConsoleFrame {
  csrf: string;
  operator: string;
  roles: Array<{ role: string; scope: { kind: 'group'; group: string } | { kind: 'ou'; dn: string } | null }>;
}

/** The administrators' pages, in the navigation only of those who hold the role (the admin service decides anyway). */
function adminNav(f: ConsoleFrame): Html | '' {
  if (!f.roles.some((r) => r.role === 'admin')) return '';
  const links: Array<[string, MessageId]> = [
    ['/console/apps', 'console.apps'],
    ['/console/saml', 'console.saml_apps'],
    ['/console/gateways', 'console.gateways'],
    ['/console/policies', 'console.policies'],
    ['/console/directory', 'console.directory'],
  ];
  return html`<nav aria-label="${t('console.admin_nav')}">${links.map(([href, id], i) => html`${i > 0 ? ' · ' : ''}<a href="${href}">${t(id)}</a>`)}</nav>`;
}

export function frame(f: ConsoleFrame, title: string, body: Html): string {
  const roles = f.roles.map(({ role, scope }) =>
    scope === null
      ? t('console.role_everyone', { role })
      : scope.kind === 'ou'
        ? t('console.role_scoped_ou', { role, scope: scope.dn })
        : t('console.role_scoped_group', { role, scope: scope.group }),
  );
  return layout({
    title,
    wide: true,
    body: html`<header class="console"><p>${t('console.signed_in_as', { name: f.operator, roles: roles.join('; ') })}</p>
<nav aria-label="${t('console.title')}"><a href="/console">${t('console.find_heading')}</a> · <a href="/console/audit">${t('console.audit')}</a> · <a href="/console/tokens/import">${t('console.import')}</a></nav>${adminNav(f)}
<form method="post" action="/console/logout">${hiddenInputs({ csrf: f.csrf })}<button class="secondary" type="submit">${t('console.sign_out')}</button></form></header>
${body}`,
  });
}

function search(query = ''): Html {
  return html`<form method="get" action="/console/people" role="search">
${field({ name: 'q', label: 'console.search_label', value: query, hint: t('console.search_hint') })}
<button type="submit">${t('console.search')}</button></form>`;
}

export function consoleHomePage(f: ConsoleFrame): string {
  return frame(
    f,
    t('console.title'),
    html`<h1>${t('console.title')}</h1><h2>${t('console.find_heading')}</h2>${search()}`,
  );
}

export interface PeopleModel extends Paging {
  query: string;
  people: Array<{ login: string; name: string | null; email: string | null; kind: string; status: string }>;
}

/** The people whose user name (or e-mail address) starts with the query (those the agent may see), paged. */
export function peoplePage(f: ConsoleFrame, m: PeopleModel): string {
  const rows =
    m.people.length === 0
      ? html`<p>${t('console.nobody')}</p>`
      : html`<table><caption>${t('console.people_caption')}</caption><thead><tr><th scope="col">${t('console.username')}</th><th scope="col">${t('console.person_name')}</th><th scope="col">${t('console.email')}</th><th scope="col">${t('console.status')}</th></tr></thead><tbody>
${m.people.map((p) => html`<tr><th scope="row"><a href="/console/person?q=${encodeURIComponent(p.login)}">${p.login}</a></th><td>${p.name ?? ''}</td><td>${p.email ?? ''}</td><td>${p.status}</td></tr>`)}</tbody></table>`;
  return frame(
    f,
    t('console.people'),
    html`<h1>${t('console.people')}</h1>${search(m.query)}${rows}
${pager('/console/people', m.query === '' ? {} : { q: m.query }, m, { prev: 'console.page_prev', next: 'console.page_next' })}`,
  );
}

export interface PersonModel {
  query: string;
  person: { name: string | null; email: string | null; username: string | null; status: string; groups: string[] };
  tokens: Array<{ serial: string; type: string; state: string; failures: number; lockedUntil: number }>;
  events: Array<{
    id: number;
    seq: number;
    at: number;
    action: string;
    outcome: string;
    details: Record<string, unknown>;
  }>;
  /** The person's name as the audit log is searched by, and the last event shown when there are older ones. */
  /** The person's name as the audit log is searched by, and the audit log's page after the events shown. */
  login: string;
  olderCursor?: string;
  signedIn: SignedInModel;
  now: number;
  notice?: { id: MessageId; params?: Record<string, string> };
  errors?: FieldError[];
}

function tokenForms(f: ConsoleFrame, m: PersonModel, serial: string, index: number): Html {
  const form = (kind: 'unlock' | 'unbind') => {
    const name = `reason-${kind}-${index}`;
    const error = m.errors?.find((e) => e.field === name);
    return html`<form method="post" action="/console/person/${kind}" class="inline">${hiddenInputs({ csrf: f.csrf, q: m.query, serial })}
${field({ name, label: kind === 'unlock' ? 'console.reason_unlock' : 'console.reason_unbind', labelParams: { serial }, error })}
<button type="submit"${kind === 'unbind' ? html` class="secondary"` : ''}>${t(kind === 'unlock' ? 'console.unlock' : 'console.unbind')}</button></form>`;
  };
  return html`${form('unlock')}${form('unbind')}`;
}

function detailsOf(details: Record<string, unknown>): string {
  const { steps: _steps, ...rest } = details;
  return Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export function personPage(f: ConsoleFrame, m: PersonModel): string {
  const p = m.person;
  const title = p.name ?? p.username ?? p.email ?? m.query;
  const context = { csrf: f.csrf, query: m.query, errors: m.errors };
  const tokens =
    m.tokens.length === 0
      ? html`<p>${t('console.no_tokens')}</p>`
      : html`<table><thead><tr><th scope="col">${t('console.serial')}</th><th scope="col">${t('console.type')}</th><th scope="col">${t('console.state')}</th><th scope="col">${t('console.failures')}</th><th scope="col">${t('console.held_until')}</th><th scope="col">${t('console.actions')}</th></tr></thead><tbody>
${m.tokens.map(
  (tk, i) =>
    html`<tr><th scope="row">${tk.serial}</th><td>${tk.type}</td><td>${tk.state}</td><td>${tk.failures}</td><td>${tk.lockedUntil > m.now ? when(tk.lockedUntil) : ''}</td><td>${tokenForms(f, m, tk.serial, i)}</td></tr>`,
)}</tbody></table>`;
  const events =
    m.events.length === 0
      ? html`<p>${t('console.no_events')}</p>`
      : html`<table><thead><tr><th scope="col">${t('console.when')}</th><th scope="col">${t('console.action')}</th><th scope="col">${t('console.outcome')}</th><th scope="col">${t('console.details')}</th></tr></thead><tbody>
${m.events.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.action}</td><td>${e.outcome}</td><td>${detailsOf(e.details)}</td></tr>`)}</tbody></table>`;
  return frame(
    f,
    title,
    html`<h1>${title}</h1>
${m.notice ? html`<p class="notice" role="status">${t(m.notice.id, m.notice.params)}</p>` : ''}
${errorSummary(m.errors ?? [])}
<dl><dt>${t('console.email')}</dt><dd>${p.email ?? '–'}</dd><dt>${t('console.username')}</dt><dd>${p.username ?? '–'}</dd>
<dt>${t('console.status')}</dt><dd>${p.status}</dd><dt>${t('console.groups')}</dt><dd>${p.groups.join(', ') || '–'}</dd></dl>
<section aria-labelledby="tokens"><h2 id="tokens">${t('console.person_tokens')}</h2><p>${t('console.reason_hint')}</p>${tokens}</section>
${resyncSection(
  context,
  m.tokens.filter((tk) => tk.state === 'active' || tk.state === 'locked').map((tk) => tk.serial),
)}
<section aria-labelledby="assign"><h2 id="assign">${t('console.assign')}</h2>
<form method="post" action="/console/person/assign">${hiddenInputs({ csrf: f.csrf, q: m.query })}
${field({ name: 'serial', label: 'console.assign_serial', error: m.errors?.find((e) => e.field === 'serial') })}
${field({ name: 'reason-assign', label: 'console.reason_assign', error: m.errors?.find((e) => e.field === 'reason-assign') })}
<button type="submit">${t('console.assign_button')}</button></form></section>
<section aria-labelledby="registration"><h2 id="registration">${t('console.registration_code')}</h2><p>${t('console.registration_code_intro')}</p>
<form method="post" action="/console/person/registration-code">${hiddenInputs({ csrf: f.csrf, q: m.query })}
${field({ name: 'reason-code', label: 'console.reason_code', error: m.errors?.find((e) => e.field === 'reason-code') })}
<button type="submit">${t('console.issue_code')}</button></form></section>
${signedInSection(context, m.signedIn)}
<section aria-labelledby="events"><h2 id="events">${t('console.events')}</h2>${events}${olderLink('/console/audit', { user: m.login }, m.olderCursor)}</section>
<h2>${t('console.find_heading')}</h2>${search()}`,
  );
}

/** The registration code, shown this once to be read out (the page is never cached; the log keeps no code). */
export function registrationCodePage(
  f: ConsoleFrame,
  m: { query: string; person: string; code: string; expiresAt: number },
): string {
  return frame(
    f,
    t('console.registration_code'),
    html`<h1>${t('console.registration_code')}</h1>
<p role="status">${t('console.code_for', { person: m.person })}</p>
<p class="code"><strong id="registration-code">${m.code}</strong></p>
<p>${t('console.code_rules', { until: `${when(m.expiresAt)} UTC` })}</p>
<p><a href="/console/person?q=${encodeURIComponent(m.query)}">${t('console.back_to_person', { person: m.person })}</a></p>`,
  );
}

export interface AuditPageModel extends Paging {
  user: string;
  action: string;
  events: Array<{
    id: number;
    seq: number;
    at: number;
    actor: string;
    action: string;
    outcome: string;
    subject: string;
    details: Record<string, unknown>;
  }>;
  verified?: { ok: boolean; events?: number; chains?: number; brokenAt?: number; chain?: string };
  errors?: FieldError[];
  /** Set when this page does not start at the newest event (a link to the newest then). */
  paged?: true;
}

/** The audit log for auditors and administrators: newest first, by person and action, and the chain's check. */
export function auditPage(f: ConsoleFrame, m: AuditPageModel): string {
  const filters = new URLSearchParams({
    ...(m.user ? { user: m.user } : {}),
    ...(m.action ? { action: m.action } : {}),
  });
  const verified = m.verified
    ? html`<p class="notice" role="status">${
        m.verified.ok
          ? t('console.audit_intact', { events: m.verified.events ?? 0, chains: m.verified.chains ?? 1 })
          : t('console.audit_broken', { seq: m.verified.brokenAt ?? 0, chain: m.verified.chain ?? '' })
      }</p>`
    : '';
  const rows =
    m.events.length === 0
      ? html`<p>${t('console.no_events')}</p>`
      : html`<table><thead><tr><th scope="col">#</th><th scope="col">${t('console.when')}</th><th scope="col">${t('console.actor')}</th><th scope="col">${t('console.action')}</th><th scope="col">${t('console.outcome')}</th><th scope="col">${t('console.subject')}</th><th scope="col">${t('console.details')}</th></tr></thead><tbody>
${m.events.map((e) => html`<tr><td>${e.id}</td><td>${when(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.outcome}</td><td>${e.subject}</td><td>${detailsOf(e.details)}</td></tr>`)}</tbody></table>`;
  return frame(
    f,
    t('console.audit'),
    html`<h1>${t('console.audit')}</h1>${verified}${errorSummary(m.errors ?? [])}
<form method="get" action="/console/audit">
${field({ name: 'user', label: 'console.audit_user', value: m.user, required: false })}
${field({ name: 'action', label: 'console.audit_action', value: m.action, hint: t('console.audit_action_hint'), required: false, error: m.errors?.find((e) => e.field === 'action') })}
<button type="submit">${t('console.search')}</button></form>
<form method="post" action="/console/audit/verify">${hiddenInputs({ csrf: f.csrf })}<button class="secondary" type="submit">${t('console.audit_verify')}</button></form>
${rows}${m.paged ? html`<p><a href="/console/audit?${filters.toString()}">${t('console.newest')}</a></p>` : ''}${pager('/console/audit', Object.fromEntries(filters), m, { prev: 'console.page_prev_events', next: 'console.page_next_events' })}`,
  );
}

/** Hardware token import: the vendor's file, and what opens it when it is protected. */
export function importPage(f: ConsoleFrame): string {
  return frame(
    f,
    t('console.import'),
    html`<h1>${t('console.import')}</h1><p>${t('console.import_intro')}</p>
<form method="post" action="/console/tokens/import" enctype="multipart/form-data">${hiddenInputs({ csrf: f.csrf })}
<label for="file">${t('console.import_file')}</label><input id="file" name="file" type="file" required>
${field({ name: 'password', label: 'console.import_password', type: 'password', autocomplete: 'off', required: false, hint: t('console.import_password_hint') })}
<label for="key">${t('console.import_key')}</label><p class="hint" id="key-hint">${t('console.import_key_hint')}</p><input id="key" name="key" type="file" aria-describedby="key-hint">
<button type="submit">${t('console.import_button')}</button></form>`,
  );
}

export function importResultPage(
  f: ConsoleFrame,
  r: { imported: number; alreadyThere: string[]; problems: string[] },
): string {
  const body =
    r.problems.length > 0
      ? html`<div class="summary" role="alert" aria-labelledby="summary-title"><h2 id="summary-title">${t('console.import_refused')}</h2><ul>${r.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
      : html`<p class="notice" role="status">${t('console.imported', { count: r.imported })}</p>${
          r.alreadyThere.length > 0
            ? html`<p>${t('console.already_there', { serials: r.alreadyThere.join(', ') })}</p>`
            : ''
        }`;
  return frame(
    f,
    t('console.import'),
    html`<h1>${t('console.import')}</h1>${body}<p><a href="/console/tokens/import">${t('console.import_another')}</a></p>`,
  );
}
