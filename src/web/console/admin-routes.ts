// The administrators' console routes: apps, VPN gateways (with the test Access-Request), OTP policies and the
// directory check. Each goes through the admin service as the person signed in, whose roles decide (permissions.ts);
// each change asks for a reason, which the one audit row by the operator keeps.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TesseraError } from '../../errors/index.ts';
import type { MessageId } from '../../i18n/index.ts';
import {
  appsPage,
  directoryPage,
  gatewaysPage,
  gatewayTestPage,
  policiesPage,
  samlAppsPage,
  secretPage,
  type AdminPageState,
  type AppRow,
} from '../pages/console-admin-pages.ts';
import type { ConsoleFrame } from '../pages/console-pages.ts';
import type { FieldError } from '../pages/forms.ts';
import type { Body, ConsoleKit } from './kit.ts';
import type { ConsoleSession } from './session.ts';
import { actionSchema, personView, text } from './person-view.ts';

// What the admin service (or the concern it asks) refused, said at the field the operator typed it in.
const formErrors: Record<string, { field: string; message: MessageId; detail?: true }> = {
  'client.invalid': { field: 'client_id', message: 'console.app_invalid', detail: true },
  'client.exists': { field: 'client_id', message: 'console.app_exists' },
  'radius.client_invalid': { field: 'name', message: 'console.gateway_invalid', detail: true },
  'radius.client_exists': { field: 'name', message: 'console.gateway_exists' },
  'admin.invalid_otp_mode': { field: 'otp', message: 'console.bad_mode' },
  'admin.invalid_grace_days': { field: 'grace_days', message: 'console.bad_grace' },
  'admin.invalid_group': { field: 'groups', message: 'console.bad_groups' },
  'admin.group_twice': { field: 'groups', message: 'console.bad_groups' },
  'admin.console_needs_code': { field: 'otp', message: 'console.console_needs_code' },
  'saml.metadata_invalid': { field: 'metadata', message: 'saml.metadata_invalid' },
  'saml.settings_invalid': { field: 'metadata', message: 'saml.metadata_invalid' },
  'saml.doctype': { field: 'metadata', message: 'saml.metadata_invalid' },
  'saml.malformed': { field: 'metadata', message: 'saml.metadata_invalid' },
  'saml.too_large': { field: 'metadata', message: 'saml.metadata_invalid' },
  'saml.app_exists': { field: 'metadata', message: 'saml.app_exists' },
};
const refusedAlone: Record<string, MessageId> = {
  'client.not_found': 'console.app_unknown',
  'saml.app_not_found': 'saml.app_not_found',
  'radius.client_unknown': 'console.gateway_unknown',
  'admin.gateway_unknown': 'console.gateway_unknown',
  'admin.radius_off': 'console.radius_off',
  'admin.no_directory': 'console.no_directory_check',
};

function fieldErrorOf(err: unknown): FieldError | undefined {
  if (!(err instanceof TesseraError)) return undefined;
  const known = formErrors[err.code];
  if (known) return { field: known.field, message: known.message, params: { detail: err.message, max: 365 } };
  const alone = refusedAlone[err.code];
  return alone ? { message: alone } : undefined;
}

/** The reason a form gave: its own field (`reason`, or one named after the row it sits in). */
const reasonIn = (body: Body, prefix: string) =>
  Object.entries(body)
    .find(([k]) => k === 'reason' || k.startsWith(prefix))?.[1]
    ?.trim() || undefined;
const reasonField = (body: Body, prefix: string) => Object.keys(body).find((k) => k.startsWith(prefix)) ?? 'reason';
const reasonNeeded = (field: string): FieldError[] => [{ field, message: 'console.reason_needed' }];

type Render = (f: ConsoleFrame, session: ConsoleSession, s: AdminPageState) => Promise<string>;

export function registerConsoleAdmin(app: FastifyInstance, kit: ConsoleKit): void {
  const { frameFor } = personView(kit);
  const doneQuery = { schema: { querystring: { type: 'object', properties: { done: text(16), id: text(128) } } } };

  /** A page of lists: rendered with the state given, or the refusal the admin service gave. */
  async function show(reply: FastifyReply, session: ConsoleSession, render: Render, s: AdminPageState, status = 200) {
    try {
      return kit.page(reply, status, await render(await frameFor(session), session, s));
    } catch (err) {
      return kit.refusal(reply, err);
    }
  }
  /** A change that failed: the page again with the error at its field, or the refusal. */
  async function failed(reply: FastifyReply, session: ConsoleSession, render: Render, err: unknown, body: Body) {
    const error = fieldErrorOf(err);
    if (!error) return kit.refusal(reply, err);
    return show(reply, session, render, { errors: [error], values: body as Record<string, string> }, 400);
  }
  const listPage = (path: string, render: Render, notices: Record<string, MessageId>) =>
    app.get<{ Querystring: { done?: string; id?: string } }>(path, doneQuery, async (req, reply) => {
      const session = await kit.signedIn(req, reply);
      if (!session) return reply;
      const done = req.query.done === undefined ? undefined : notices[req.query.done];
      const params = { id: req.query.id ?? '', name: req.query.id ?? '', app: req.query.id ?? '' };
      return show(reply, session, render, done ? { notice: { id: done, params } } : {});
    });

  registerApps(app, kit, { show, failed, listPage, frameFor });
  registerGateways(app, kit, { show, failed, listPage, frameFor });
  registerPolicies(app, kit, { show, failed, listPage, frameFor });
  registerSamlApps(app, kit, { show, failed, listPage, frameFor });

  const directory: Render = async (f, _session, s) => directoryPage(f, s);
  app.get('/console/directory', async (req, reply) => {
    const session = await kit.signedIn(req, reply);
    if (!session) return reply;
    return show(reply, session, directory, {});
  });
  app.post<{ Body: Body }>('/console/directory', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const user = req.body.user?.trim() || undefined;
    try {
      const report = await kit.adminFor(session).checkDirectory(user);
      const f = await frameFor(session);
      return kit.page(reply, 200, directoryPage(f, { values: { user: user ?? '' } }, report));
    } catch (err) {
      return failed(reply, session, directory, err, req.body);
    }
  });
}

interface Helpers {
  show(reply: FastifyReply, session: ConsoleSession, render: Render, s: AdminPageState, status?: number): unknown;
  failed(reply: FastifyReply, session: ConsoleSession, render: Render, err: unknown, body: Body): unknown;
  listPage(path: string, render: Render, notices: Record<string, MessageId>): unknown;
  frameFor(session: ConsoleSession): Promise<ConsoleFrame>;
}

function registerApps(app: FastifyInstance, kit: ConsoleKit, h: Helpers): void {
  const render: Render = async (f, session, s) =>
    appsPage(f, (await kit.adminFor(session).clients.list()) as unknown as AppRow[], s);
  h.listPage('/console/apps', render, { removed: 'console.app_removed' });

  app.post<{ Body: Body }>('/console/apps/add', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const b = req.body;
    const reason = reasonIn(b, 'reason');
    if (!reason) return h.show(reply, session, render, { errors: reasonNeeded('reason'), values: b as never }, 400);
    const input = {
      client_id: b.client_id?.trim() ?? '',
      client_name: b.client_name?.trim() ?? '',
      redirect_uris: (b.redirect_uris ?? '').split(/\s+/).filter(Boolean),
    };
    try {
      const added = await kit.adminFor(session).clients.add(input, reason);
      const notice = { id: 'console.app_added' as const, params: { id: input.client_id } };
      const f = await h.frameFor(session);
      return kit.page(
        reply,
        200,
        secretPage(f, 'console.apps', { notice }, 'console.client_secret', String(added.client_secret)),
      );
    } catch (err) {
      return h.failed(reply, session, render, err, b);
    }
  });

  app.post<{ Body: Body }>('/console/apps/remove', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const id = req.body.client_id ?? '';
    const reason = reasonIn(req.body, 'reason-remove-');
    if (!reason)
      return h.show(reply, session, render, { errors: reasonNeeded(reasonField(req.body, 'reason-remove-')) }, 400);
    try {
      await kit.adminFor(session).clients.remove(id, reason);
    } catch (err) {
      return h.failed(reply, session, render, err, req.body);
    }
    return reply.redirect(`/console/apps?${new URLSearchParams({ done: 'removed', id })}`, 303);
  });
}

function registerGateways(app: FastifyInstance, kit: ConsoleKit, h: Helpers): void {
  const render: Render = async (f, session, s) => gatewaysPage(f, await kit.adminFor(session).radiusClients.list(), s);
  h.listPage('/console/gateways', render, { removed: 'console.gateway_removed' });

  app.post<{ Body: Body }>('/console/gateways/add', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const b = req.body;
    const reason = reasonIn(b, 'reason');
    if (!reason) return h.show(reply, session, render, { errors: reasonNeeded('reason'), values: b as never }, 400);
    const allowedGroups = (b.groups ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const input = {
      name: b.name?.trim() ?? '',
      address: b.address?.trim() ?? '',
      ...(allowedGroups.length ? { allowedGroups } : {}),
    };
    try {
      const { secret } = await kit.adminFor(session).radiusClients.add(input, reason);
      const notice = { id: 'console.gateway_added' as const, params: { name: input.name } };
      const f = await h.frameFor(session);
      return kit.page(reply, 200, secretPage(f, 'console.gateways', { notice }, 'console.shared_secret', secret));
    } catch (err) {
      return h.failed(reply, session, render, err, b);
    }
  });

  app.post<{ Body: Body }>('/console/gateways/remove', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const name = req.body.name ?? '';
    const reason = reasonIn(req.body, 'reason-remove-');
    if (!reason)
      return h.show(reply, session, render, { errors: reasonNeeded(reasonField(req.body, 'reason-remove-')) }, 400);
    try {
      await kit.adminFor(session).radiusClients.remove(name, reason);
    } catch (err) {
      return h.failed(reply, session, render, err, req.body);
    }
    return reply.redirect(`/console/gateways?${new URLSearchParams({ done: 'removed', id: name })}`, 303);
  });

  // A real Access-Request to this server's RADIUS port with the gateway's secret; the page says what came back.
  app.post<{ Body: Body }>('/console/gateways/test', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const b = req.body;
    const name = b.name ?? '';
    const pick = (prefix: string) => Object.entries(b).find(([k]) => k.startsWith(prefix))?.[1] ?? '';
    const reason = reasonIn(b, 'reason-test-');
    if (!reason) return h.show(reply, session, render, { errors: reasonNeeded(reasonField(b, 'reason-test-')) }, 400);
    const user = pick('test-user-').trim();
    try {
      const admin = kit.adminFor(session);
      const answer = await admin.radiusClients.test(name, { user, password: pick('test-password-') }, reason);
      const address = (await admin.radiusClients.list()).find((g) => g.name === name)?.address ?? '';
      const f = await h.frameFor(session);
      return kit.page(reply, 200, gatewayTestPage(f, { name, address, user, ...answer }));
    } catch (err) {
      return h.failed(reply, session, render, err, b);
    }
  });
}

const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/;

function registerPolicies(app: FastifyInstance, kit: ConsoleKit, h: Helpers): void {
  const render: Render = async (f, session, s) => policiesPage(f, await kit.adminFor(session).listPolicies(), s);
  h.listPage('/console/policies', render, { saved: 'console.policy_saved' });

  app.post<{ Body: Body }>('/console/policies/set', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const b = req.body;
    const goLive = b.go_live?.trim() ?? '';
    const goLiveAt = goLive === '' ? null : isoDay.test(goLive) ? Date.parse(`${goLive}T00:00:00Z`) : Number.NaN;
    const groups = (b.groups ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean)
      .map((g) => {
        const [name = '', mode = ''] = g.split('=').map((x) => x.trim());
        return { name, mode };
      });
    const errors: FieldError[] = [
      ...(goLiveAt !== null && Number.isNaN(goLiveAt)
        ? [{ field: 'go_live', message: 'console.bad_date' as const }]
        : []),
      ...(reasonIn(b, 'reason') ? [] : reasonNeeded('reason')),
    ];
    if (errors.length > 0) return h.show(reply, session, render, { errors, values: b as never }, 400);
    const appId = b.app?.trim() ?? '';
    const input = { appId, otp: b.otp ?? '', goLiveAt, graceDays: Number(b.grace_days ?? '0'), groups };
    try {
      await kit.adminFor(session).setPolicy(input, reasonIn(b, 'reason'));
    } catch (err) {
      return h.failed(reply, session, render, err, b);
    }
    return reply.redirect(`/console/policies?${new URLSearchParams({ done: 'saved', id: appId })}`, 303);
  });
}

function registerSamlApps(app: FastifyInstance, kit: ConsoleKit, h: Helpers): void {
  const render: Render = async (f, session, s) => samlAppsPage(f, await kit.adminFor(session).saml.list(), s);
  h.listPage('/console/saml', render, { added: 'console.saml_added', removed: 'console.saml_removed' });

  const metadataSchema = {
    body: { ...actionSchema.body, additionalProperties: { type: 'string', maxLength: 256 * 1024 } },
  };
  app.post<{ Body: Body }>('/console/saml/add', { schema: metadataSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const b = req.body;
    const reason = reasonIn(b, 'reason');
    if (!reason) return h.show(reply, session, render, { errors: reasonNeeded('reason'), values: b as never }, 400);
    try {
      const name = b.name?.trim() || undefined;
      const added = await kit.adminFor(session).saml.add({ metadata: b.metadata ?? '', name }, reason);
      return reply.redirect(`/console/saml?${new URLSearchParams({ done: 'added', id: added.entityId })}`, 303);
    } catch (err) {
      return h.failed(reply, session, render, err, b);
    }
  });

  app.post<{ Body: Body }>('/console/saml/remove', { schema: actionSchema }, async (req, reply) => {
    const session = await kit.authorized(req, reply);
    if (!session) return reply;
    const id = req.body.entity_id ?? '';
    const reason = reasonIn(req.body, 'reason-remove-');
    if (!reason) {
      return h.show(reply, session, render, { errors: reasonNeeded(reasonField(req.body, 'reason-remove-')) }, 400);
    }
    try {
      await kit.adminFor(session).saml.remove(id, reason);
    } catch (err) {
      return h.failed(reply, session, render, err, req.body);
    }
    return reply.redirect(`/console/saml?${new URLSearchParams({ done: 'removed', id })}`, 303);
  });
}
