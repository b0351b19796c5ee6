// The helpdesk's and operator's operations as one service: the CLI calls it now, the web console later. It takes
// typed inputs, returns data and throws typed errors (AdminError, and the domain errors of the concerns it uses);
// each change it makes is audited with the acting operator as actor.
import { auditAdmin, vpnSessionAdmin } from './audit-log.ts';
import { clientAdmin, radiusClientAdmin } from './clients.ts';
import { operatorAdmin } from './operators.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { samlAdmin } from './saml.ts';
import { tokenAdmin } from './tokens.ts';
import { registrationCodeAdmin } from './registration-codes.ts';

export function createAdmin(ports: AdminPorts, options: AdminOptions) {
  return {
    tokens: tokenAdmin(ports, options),
    clients: clientAdmin(ports, options),
    radiusClients: radiusClientAdmin(ports, options),
    audit: auditAdmin(ports),
    vpnSessions: vpnSessionAdmin(ports),
    saml: samlAdmin(ports, options),
    registrationCodes: registrationCodeAdmin(ports, options),
    ...operatorAdmin(ports, options),
  };
}

export type AdminService = ReturnType<typeof createAdmin>;
