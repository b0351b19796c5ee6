// The helpdesk's and operator's service over this server's parts: the CLI uses it today, the web console later.
import { createAdmin, type AdminPorts, type AdminService } from '../admin/index.ts';
import type { CampaignInput } from '../delivery/index.ts';
import type { WorkforceService } from '../identity/index.ts';
import { createSqlSecretStore, rotateSigningKeys } from '../oidc/index.ts';
import type { OtpService } from '../otp/index.ts';
import type { Foundation } from './foundation.ts';
import type { Identity } from './identity.ts';
import type { Oidc } from './oidc.ts';
import type { Policy } from './otp-policy.ts';
import type { Vpn } from './radius.ts';

export interface AdminParts {
  identity: Identity;
  otp: OtpService;
  oidc: Oidc;
  policy: Policy;
  vpn: Pick<Vpn, 'radiusClients' | 'vpnSessions'>;
  workforce: WorkforceService | undefined;
  sendCampaign(input: CampaignInput): Promise<{ recipients: number }>;
}

/** The admin service acting as `actor` (the name its audit rows carry). */
export function composeAdmin(f: Foundation, p: AdminParts): (actor: string) => AdminService {
  const secrets = createSqlSecretStore(f.store.db);
  const ports: AdminPorts = {
    audit: f.audit,
    accounts: p.identity.accounts,
    otp: p.otp,
    clients: p.oidc.clients,
    policies: p.policy.policies,
    radiusClients: p.vpn.radiusClients,
    vpnSessions: p.vpn.vpnSessions,
    workforce: p.workforce,
    configuredRadiusClients: f.config.radius?.clients ?? [],
    sendCampaign: p.sendCampaign,
    rotateSigningKeys: () => rotateSigningKeys(secrets, f.sealer, f.clock),
    clock: f.clock,
  };
  return (actor) => createAdmin(ports, { actor });
}
