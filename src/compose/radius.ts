// RADIUS for the VPN gateways: password, then the one-time code by Access-Challenge; accounting keeps VPN sessions.
import {
  createChallengePurge,
  createRadiusServer,
  createSqlChallengeStates,
  createSqlStoredClients,
  createSqlVpnSessions,
  createVpnLogin,
  sessionChange,
  type AccountingRecord,
  type RadiusServer,
} from '../radius/index.ts';
import { assertStillActive, type WorkforceService } from '../identity/index.ts';
import type { OtpService } from '../otp/index.ts';
import { createCheckedSecondFactor } from '../policy/index.ts';
import { createVpnPorts } from '../vpn/index.ts';
import { t } from '../i18n/index.ts';
import { publishing } from '../cluster/index.ts';
import type { FirstFactor } from '../signin/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Policy } from './otp-policy.ts';

export interface RadiusParts {
  identity: Identity;
  otp: OtpService;
  policy: Policy;
  workforce: WorkforceService | undefined;
  firstFactor: FirstFactor;
}

export function composeRadius(f: Foundation, p: RadiusParts) {
  const { config, store, clock, audit } = f;
  const challengeStates = createSqlChallengeStates(store.db, clock, 120);
  const purgeChallenges = createChallengePurge({ states: challengeStates, audit: f.auditAs('radius') });
  const radiusClients = publishing(
    f.feed,
    createSqlStoredClients(
      store.db,
      f.sealer,
      clock,
      config.radius?.clients.map((c) => c.name),
    ),
    ['add', 'remove'],
    'radius-clients',
  );
  const vpnSessions = createSqlVpnSessions(store.db);
  let radius: RadiusServer | undefined;
  if (config.radius) {
    const vpnLogin = createVpnLogin({
      ...createVpnPorts({
        firstFactor: p.firstFactor,
        workforce: p.workforce,
        secondFactor: createCheckedSecondFactor(p.policy.secondFactor, p.otp),
        assertStillActive: (accountId) => assertStillActive(p.identity.identityStore, accountId),
        validateCode: (accountId, code, options) => p.otp.validate(accountId, code, options),
        hasLoggedInWithCode: (accountId) => audit.hasEvent('radius.accept', accountId, { factors: ['pwd', 'otp'] }),
        groupsOf: p.policy.groupsOf,
        groupAttributes: config.radiusGroupAttributes,
        passwordChangeUrl: config.directory?.passwordChangeUrl,
        registrationUrl: config.directory ? f.link('otp/register') : undefined,
        translate: (id, params, locale) =>
          t(id as Parameters<typeof t>[0], params, locale ?? config.i18n.defaultLocale),
        localeOf: async (accountId) => (await p.identity.identityStore.findAccountById(accountId))?.locale,
      }),
      states: challengeStates,
      takeSteps: () => audit.takeSteps(),
      audit: f.auditAs('radius'),
    });
    radius = createRadiusServer({
      config: config.radius,
      clock,
      loadClients: () => radiusClients.load(),
      // One audit row per login: the directory and code checks are its steps (details.steps).
      authenticate: (request) => audit.asOneEvent(() => vpnLogin(request)),
      account: (record) => recordAccounting(f, vpnSessions, record),
      onError: (error, context) =>
        f.logger.warn(
          { ...context, code: (error as { code?: string }).code, err: (error as Error).message },
          'RADIUS step failed',
        ),
      onCount: (event) => f.metrics.radius.inc({ client: event.client ?? 'unknown', outcome: event.outcome }),
      internalErrorMessage: t('web.unavailable'),
    });
    f.feed.on('radius-clients', radius.reloadClients);
  }
  return { radius, radiusClients, vpnSessions, purgeChallenges };
}

async function recordAccounting(
  f: Foundation,
  vpnSessions: ReturnType<typeof createSqlVpnSessions>,
  record: AccountingRecord,
): Promise<void> {
  const change = sessionChange(record, f.clock.now());
  await vpnSessions.apply(change);
  // Interim updates only refresh counters; the audit trail keeps the beginnings and ends.
  if (change.kind !== 'interim' && change.kind !== 'ignored') {
    await f.audit.record({
      actor: record.client,
      action: `radius.accounting.${change.kind}`,
      subject: 'userName' in change ? change.userName : null,
      source: record.source.address,
      outcome: 'success',
      details: { session: record.sessionId },
    });
  }
}

export type Vpn = ReturnType<typeof composeRadius>;
