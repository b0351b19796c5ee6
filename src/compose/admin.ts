// The operator's side of this server: the marketing campaign and the helpdesk's and operator's service (the CLI
// uses it today, the web console later).
import {
  checkDirectory,
  createAdmin,
  createSqlRoleStore,
  type AdminPorts,
  type AdminService,
  type Operator,
} from '../admin/index.ts';
import { sendCampaign, type CampaignInput } from '../delivery/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import { createSqlSecretStore, rotateSigningKeys } from '../oidc/index.ts';
import type { OtpService } from '../otp/index.ts';
import type { FastifyInstance } from 'fastify';
import type { Foundation } from './foundation.ts';
import { composeConsole } from './web.ts';
import type { Identity, Mail } from './identity.ts';
import type { Oidc } from './oidc.ts';
import type { Policy } from './otp-policy.ts';
import type { Vpn } from './radius.ts';
import { sendTestAccessRequest, type RadiusBound } from '../radius/index.ts';
import type { Saml } from './saml.ts';
import type { Registration } from '../registration/index.ts';

export interface AdminParts {
  identity: Identity;
  otp: OtpService;
  oidc: Oidc;
  policy: Policy;
  vpn: Pick<Vpn, 'radiusClients' | 'vpnSessions'>;
  workforce: WorkforceService | undefined;
  mail: Mail;
  /** The SAML apps and keys, composed with the web routes. */
  web: { saml: Pick<Saml, 'providers' | 'keys'> };
  registration?: Registration;
  /** Where the IT support console's pages go, over the same admin service. */
  app: FastifyInstance;
  /** Where RADIUS listens once started (the console's test Access-Request goes there). */
  radiusAddress(): RadiusBound | undefined;
}

/** The campaign to everyone who said yes to marketing mail, the admin service acting as an actor, and its console. */
export function composeOperations(f: Foundation, p: AdminParts) {
  const { identity, mail } = p;
  const campaign = (input: CampaignInput) =>
    sendCampaign(
      {
        outbox: mail.outbox,
        audience: () => identity.selfService.marketingAudience(),
        unsubscribeLink: identity.unsubscribeLink,
        perMinute: f.config.mail.marketingPerMinute,
        now: () => f.clock.now(),
      },
      input,
    );
  const admin = composeAdmin(f, p, campaign);
  composeConsole(f, p.app, { oidc: p.oidc, admin, setupLinks: identity.reset });
  return { sendCampaign: campaign, admin };
}

/** The admin service for an operator: their roles decide what it does (admin/permissions.ts). */
function composeAdmin(
  f: Foundation,
  p: AdminParts,
  campaign: AdminPorts['sendCampaign'],
): (operator: Operator) => AdminService {
  const secrets = createSqlSecretStore(f.store.db);
  const directory = f.config.directory;
  const ports: AdminPorts = {
    audit: f.audit,
    accounts: p.identity.accounts,
    otp: p.otp,
    sessions: p.oidc.sessions,
    clients: p.oidc.clients,
    policies: p.policy.policies,
    radiusClients: p.vpn.radiusClients,
    vpnSessions: p.vpn.vpnSessions,
    workforce: p.workforce,
    configuredRadiusClients: f.config.radius?.clients ?? [],
    sendCampaign: campaign,
    rotateSigningKeys: async (options) => {
      const signing = await rotateSigningKeys(secrets, f.sealer, f.clock, {
        publishedForMs: f.backstopMs,
        force: options?.force,
      });
      await f.feed.publish('signing-keys');
      return signing;
    },
    saml: p.web.saml,
    clock: f.clock,
    registration: p.registration,
    testRadiusClient: (name, user, password) => testRadiusClient(f, p, name, user, password),
    ...(directory ? { checkDirectory: (user: string | undefined) => checkDirectory(directory, user, f.clock) } : {}),
    roles: createSqlRoleStore(f.store.db),
  };
  return (operator) => createAdmin(ports, operator);
}

/** The console's test Access-Request: the gateway's secret, from the configuration or the database. */
async function testRadiusClient(f: Foundation, p: AdminParts, name: string, user: string, password: string) {
  const gateway =
    f.config.radius?.clients.find((c) => c.name === name) ??
    (await p.vpn.radiusClients.load()).find((c) => c.name === name);
  if (!gateway) return undefined;
  const bound = p.radiusAddress();
  if (!bound) return 'off' as const;
  const wildcard = bound.address === '0.0.0.0' || bound.address === '::';
  const host = wildcard ? (bound.address === '::' ? '::1' : '127.0.0.1') : bound.address;
  return sendTestAccessRequest({ host, port: bound.port, secret: gateway.secret, user, password, timeoutMs: 3000 });
}
