// The administrators' console pages: apps (OIDC clients), VPN gateways (RADIUS clients) with a test Access-Request,
// OTP policies per app, and the directory connection check. Every change is a form with the console's CSRF token and
// a reason; a secret made for an app or a gateway is shown once, on a page never cached.
import { t, type MessageId } from '../../i18n/index.ts';
import { frame, type ConsoleFrame } from './console-pages.ts';
import { errorSummary, field, hiddenInputs, type FieldError } from './forms.ts';
import { html, type Html } from './html.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface AdminPageState {
  notice?: { id: MessageId; params?: Record<string, string> };
  errors?: FieldError[];
  /** What the operator typed, given back with the errors. */
  values?: Record<string, string>;
}

const errorOf = (s: AdminPageState, name: string) => s.errors?.find((e) => e.field === name);
const typed = (s: AdminPageState, name: string) => s.values?.[name] ?? '';
const notice = (s: AdminPageState) =>
  s.notice ? html`<p class="notice" role="status">${t(s.notice.id, s.notice.params)}</p>` : '';

function table(headings: MessageId[], rows: Html[]): Html {
  return html`<table><thead><tr>${headings.map((h) => html`<th scope="col">${t(h)}</th>`)}</tr></thead><tbody>
${rows}</tbody></table>`;
}

function input(s: AdminPageState, name: string, label: MessageId, extra: { hint?: string; required?: boolean } = {}) {
  return field({ name, label, value: typed(s, name), error: errorOf(s, name), ...extra });
}

function page(f: ConsoleFrame, title: MessageId, intro: MessageId, s: AdminPageState, body: Html): string {
  return frame(
    f,
    t(title),
    html`<h1>${t(title)}</h1>${notice(s)}${errorSummary(s.errors ?? [])}<p>${t(intro)}</p>${body}`,
  );
}

export interface AppRow {
  client_id: string;
  client_name: string;
  redirect_uris: string[];
}

export function appsPage(f: ConsoleFrame, apps: AppRow[], s: AdminPageState): string {
  const remove = (id: string, i: number) =>
    html`<form method="post" action="/console/apps/remove" class="inline">${hiddenInputs({ csrf: f.csrf, client_id: id })}
${field({ name: `reason-remove-${i}`, label: 'console.reason_app_remove', labelParams: { id }, error: errorOf(s, `reason-remove-${i}`) })}
<button type="submit" class="secondary">${t('console.app_remove')}</button></form>`;
  const list =
    apps.length === 0
      ? html`<p>${t('console.no_apps')}</p>`
      : table(
          ['console.client_id', 'console.client_name', 'console.redirect_uris', 'console.actions'],
          apps.map(
            (a, i) =>
              html`<tr><th scope="row">${a.client_id}</th><td>${a.client_name}</td><td>${a.redirect_uris.join(' ')}</td><td>${remove(a.client_id, i)}</td></tr>`,
          ),
        );
  return page(
    f,
    'console.apps',
    'console.apps_intro',
    s,
    html`${list}<h2>${t('console.app_add')}</h2><form method="post" action="/console/apps/add">${hiddenInputs({ csrf: f.csrf })}
${input(s, 'client_id', 'console.client_id')}${input(s, 'client_name', 'console.client_name')}
${input(s, 'redirect_uris', 'console.redirect_uris', { hint: t('console.redirect_uris_hint') })}
${input(s, 'reason', 'console.reason_app_add')}
<button type="submit">${t('console.app_add')}</button></form>`,
  );
}

/** A secret made just now, shown this once (the page is never cached, the audit log never holds it). */
export function secretPage(f: ConsoleFrame, title: MessageId, s: AdminPageState, label: MessageId, secret: string) {
  const back = title === 'console.apps' ? '/console/apps' : '/console/gateways';
  return frame(
    f,
    t(title),
    html`<h1>${t(title)}</h1>${notice(s)}<dl><dt>${t(label)}</dt><dd><code id="secret">${secret}</code></dd></dl>
<p><a href="${back}">${t(title)}</a></p>`,
  );
}

export interface GatewayRow {
  name: string;
  address: string;
  allowedGroups?: string[];
  source: 'configuration' | 'database';
}

function gatewayForms(f: ConsoleFrame, s: AdminPageState, g: GatewayRow, i: number): Html {
  const remove =
    g.source === 'database'
      ? html`<form method="post" action="/console/gateways/remove" class="inline">${hiddenInputs({ csrf: f.csrf, name: g.name })}
${field({ name: `reason-remove-${i}`, label: 'console.reason_gateway_remove', labelParams: { name: g.name }, error: errorOf(s, `reason-remove-${i}`) })}
<button type="submit" class="secondary">${t('console.gateway_remove')}</button></form>`
      : '';
  return html`<details><summary>${t('console.gateway_test')}</summary><p>${t('console.gateway_test_intro')}</p>
<form method="post" action="/console/gateways/test">${hiddenInputs({ csrf: f.csrf, name: g.name })}
${field({ name: `test-user-${i}`, label: 'console.test_user', autocomplete: 'off' })}
${field({ name: `test-password-${i}`, label: 'console.test_password', type: 'password', autocomplete: 'off' })}
${field({ name: `reason-test-${i}`, label: 'console.reason_gateway_test', error: errorOf(s, `reason-test-${i}`) })}
<button type="submit">${t('console.test_send')}</button></form></details>${remove}`;
}

export function gatewaysPage(f: ConsoleFrame, gateways: GatewayRow[], s: AdminPageState): string {
  const list =
    gateways.length === 0
      ? html`<p>${t('console.no_gateways')}</p>`
      : table(
          [
            'console.gateway_name',
            'console.gateway_address',
            'console.gateway_groups',
            'console.gateway_source',
            'console.actions',
          ],
          gateways.map(
            (g, i) =>
              html`<tr><th scope="row">${g.name}</th><td>${g.address}</td><td>${(g.allowedGroups ?? []).join(', ')}</td><td>${g.source}</td><td>${gatewayForms(f, s, g, i)}</td></tr>`,
          ),
        );
  return page(
    f,
    'console.gateways',
    'console.gateways_intro',
    s,
    html`${list}<h2>${t('console.gateway_add')}</h2><form method="post" action="/console/gateways/add">${hiddenInputs({ csrf: f.csrf })}
${input(s, 'name', 'console.gateway_name')}${input(s, 'address', 'console.gateway_address')}
${input(s, 'groups', 'console.gateway_groups', { hint: t('console.gateway_groups_hint'), required: false })}
${input(s, 'reason', 'console.reason_gateway_add')}
<button type="submit">${t('console.gateway_add')}</button></form>`,
  );
}

export function gatewayTestPage(
  f: ConsoleFrame,
  m: { name: string; address: string; user: string; answer: string; replyMessages: string[] },
): string {
  const said =
    m.answer === 'none'
      ? html`<p role="status">${t('console.test_no_answer', { address: m.address })}</p>`
      : html`<p role="status">${t('console.test_answer', { name: m.name, user: m.user, answer: m.answer })}</p>
<ul>${m.replyMessages.map((text) => html`<li>${t('console.test_reply', { text })}</li>`)}</ul>`;
  return frame(
    f,
    t('console.gateway_test'),
    html`<h1>${t('console.gateway_test')}</h1>${said}<p><a href="/console/gateways">${t('console.gateways')}</a></p>`,
  );
}

export interface PolicyRow {
  appId: string;
  otp: string;
  goLiveAt: number | null;
  graceSeconds: number;
  groupOverrides: Record<string, string>;
}

function modeSelect(s: AdminPageState): Html {
  const chosen = typed(s, 'otp') || 'required';
  const modes = ['off', 'optional', 'required'] as const;
  return html`<label for="otp">${t('console.policy_otp')}</label>${errorOf(s, 'otp') ? html`<p class="field-error" id="otp-error">${t(errorOf(s, 'otp')!.message)}</p>` : ''}
<select id="otp" name="otp">${modes.map((m) => html`<option value="${m}"${m === chosen ? html` selected` : ''}>${t(`console.mode_${m}`)}</option>`)}</select>`;
}

export function policiesPage(f: ConsoleFrame, policies: PolicyRow[], s: AdminPageState): string {
  const groups = (p: PolicyRow) =>
    Object.entries(p.groupOverrides)
      .map(([g, m]) => `${g}=${m}`)
      .join(', ');
  const list =
    policies.length === 0
      ? html`<p>${t('console.no_policies')}</p>`
      : table(
          [
            'console.policy_app',
            'console.policy_otp',
            'console.policy_go_live',
            'console.policy_grace',
            'console.policy_groups',
          ],
          policies.map(
            (p) =>
              html`<tr><th scope="row">${p.appId}</th><td>${p.otp}</td><td>${p.goLiveAt === null ? '' : day(p.goLiveAt)}</td><td>${p.graceSeconds / 86400}</td><td>${groups(p)}</td></tr>`,
          ),
        );
  return page(
    f,
    'console.policies',
    'console.policies_intro',
    s,
    html`${list}<h2>${t('console.policy_set')}</h2><form method="post" action="/console/policies/set">${hiddenInputs({ csrf: f.csrf })}
${input(s, 'app', 'console.policy_app')}${modeSelect(s)}
${input(s, 'go_live', 'console.policy_go_live', { hint: t('console.policy_go_live_hint'), required: false })}
${field({ name: 'grace_days', label: 'console.policy_grace', value: typed(s, 'grace_days') || '0', inputmode: 'numeric', error: errorOf(s, 'grace_days') })}
${input(s, 'groups', 'console.policy_groups', { hint: t('console.policy_groups_hint'), required: false })}
${input(s, 'reason', 'console.reason_policy')}
<button type="submit">${t('console.policy_set')}</button></form>`,
  );
}

export interface DirectoryReport {
  failedServers: string[];
  bindDn: string;
  baseDn: string;
  bound: boolean;
  entry?: object | null;
  problem?: { code?: string; message: string; diagnostic?: string };
}

function reportOf(r: DirectoryReport, user: string): Html {
  const entry =
    r.entry === undefined
      ? ''
      : r.entry === null
        ? html`<p>${t('console.directory_no_entry', { user })}</p>`
        : html`<h2>${t('console.directory_entry')}</h2><dl>${Object.entries(r.entry as Record<string, unknown>).map(
            ([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`,
          )}</dl>`;
  const problem = r.problem
    ? html`<p>${t('console.directory_problem', { message: [r.problem.code, r.problem.message, r.problem.diagnostic].filter(Boolean).join(' – ') })}</p>`
    : '';
  return html`<section aria-labelledby="report"><h2 id="report">${t('console.directory')}</h2><div role="status">
<ul>${r.failedServers.map((server) => html`<li>${t('console.directory_failed_server', { server })}</li>`)}</ul>
<p>${t(r.bound ? 'console.directory_bound' : 'console.directory_not_bound', { dn: r.bindDn, base: r.baseDn })}</p>${problem}</div>${entry}</section>`;
}

export function directoryPage(f: ConsoleFrame, s: AdminPageState, report?: DirectoryReport): string {
  return page(
    f,
    'console.directory',
    'console.directory_intro',
    s,
    html`<form method="post" action="/console/directory">${hiddenInputs({ csrf: f.csrf })}
${input(s, 'user', 'console.directory_user', { required: false })}
<button type="submit">${t('console.directory_check')}</button></form>${report ? reportOf(report, typed(s, 'user')) : ''}`,
  );
}

export interface SamlRow {
  entityId: string;
  name: string;
  createdAt: number;
}

export function samlAppsPage(f: ConsoleFrame, apps: SamlRow[], s: AdminPageState): string {
  const remove = (id: string, i: number) =>
    html`<form method="post" action="/console/saml/remove" class="inline">${hiddenInputs({ csrf: f.csrf, entity_id: id })}
${field({ name: `reason-remove-${i}`, label: 'console.reason_saml_remove', labelParams: { id }, error: errorOf(s, `reason-remove-${i}`) })}
<button type="submit" class="secondary">${t('console.app_remove')}</button></form>`;
  const list =
    apps.length === 0
      ? html`<p>${t('console.no_saml_apps')}</p>`
      : table(
          ['console.entity_id', 'console.client_name', 'console.actions'],
          apps.map(
            (a, i) =>
              html`<tr><th scope="row">${a.entityId}</th><td>${a.name}</td><td>${remove(a.entityId, i)}</td></tr>`,
          ),
        );
  const metadataError = errorOf(s, 'metadata');
  return page(
    f,
    'console.saml_apps',
    'console.saml_intro',
    s,
    html`${list}<h2>${t('console.saml_add')}</h2><form method="post" action="/console/saml/add">${hiddenInputs({ csrf: f.csrf })}
${input(s, 'name', 'console.saml_name', { required: false })}
<label for="metadata">${t('console.saml_metadata')}</label>${metadataError ? html`<p class="field-error" id="metadata-error">${t(metadataError.message)}</p>` : ''}
<textarea id="metadata" name="metadata" rows="8" required${metadataError ? html` aria-invalid="true" aria-describedby="metadata-error"` : ''}>${typed(s, 'metadata')}</textarea>
${input(s, 'reason', 'console.reason_saml_add')}
<button type="submit">${t('console.saml_add')}</button></form>`,
  );
}
