// The operator's side of this server: the marketing campaign and the helpdesk's and operator's service (the CLI
// uses it today, the web console later).
import { createAdmin, createSqlRoleStore, type AdminPorts, type AdminService, type Operator } from '../admin/index.ts';
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
import type { Registration } from '../registration/index.ts';

export interface AdminParts {
  identity: Identity;
  otp: OtpService;
  oidc: Oidc;
  policy: Policy;
  vpn: Pick<Vpn, 'radiusClients' | 'vpnSessions'>;
  workforce: WorkforceService | undefined;
  mail: Mail;
  registration?: Registration;
  /** Where the IT support console's pages go, over the same admin service. */
  app: FastifyInstance;
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
  composeConsole(f, p.app, { oidc: p.oidc, admin });
  return { sendCampaign: campaign, admin };
}

/** The admin service for an operator: their roles decide what it does (admin/permissions.ts). */
function composeAdmin(
  f: Foundation,
  p: AdminParts,
  campaign: AdminPorts['sendCampaign'],
): (operator: Operator) => AdminService {
  const secrets = createSqlSecretStore(f.store.db);
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
    rotateSigningKeys: () => rotateSigningKeys(secrets, f.sealer, f.clock),
    clock: f.clock,
    registration: p.registration,
    roles: createSqlRoleStore(f.store.db),
  };
  return (operator) => createAdmin(ports, operator);
}
