// The helpdesk's and operator's operations as one service: the CLI and the web console call it. It takes typed
// inputs, returns data and throws typed errors (AdminError, and the domain errors of the concerns it uses); each change
// it makes is audited with the acting operator as actor. It exists only guarded: every call is checked against the
// operator's roles (permissions.ts), whoever the caller is.
import { auditAdmin, vpnSessionAdmin } from './audit-log.ts';
import { clientAdmin, radiusClientAdmin } from './clients.ts';
import { actorOf, checker, grantsOf, guard, nameOf, type Operator } from './guard.ts';
import { operatorAdmin } from './operators.ts';
import type { operationRules } from './permissions.ts';
import type { AdminOptions, AdminPorts } from './ports.ts';
import { samlAdmin } from './saml.ts';
import { peopleAdmin } from './people.ts';
import { roleAdmin } from './roles.ts';
import { sessionAdmin } from './sessions.ts';
import { tokenAdmin } from './tokens.ts';
import { registrationCodeAdmin } from './registration-codes.ts';

function operations(ports: AdminPorts, options: AdminOptions, operator: Operator) {
  return {
    people: peopleAdmin(ports, () => grantsOf(ports, operator)),
    tokens: tokenAdmin(ports, options),
    clients: clientAdmin(ports, options),
    radiusClients: radiusClientAdmin(ports, options),
    audit: auditAdmin(ports),
    vpnSessions: vpnSessionAdmin(ports),
    sessions: sessionAdmin(ports, options),
    saml: samlAdmin(ports, options),
    registrationCodes: registrationCodeAdmin(ports, options),
    roles: {
      ...roleAdmin(ports, options),
      /** The operator's name and own roles, each with the group it is limited to (null: everyone). */
      mine: async () => ({ name: await nameOf(ports, operator), roles: await grantsOf(ports, operator) }),
    },
    ...operatorAdmin(ports, options),
  };
}

export function createAdmin(ports: AdminPorts, operator: Operator) {
  return guard(operations(ports, { actor: actorOf(operator) }, operator), checker(ports, operator));
}

export type AdminService = ReturnType<typeof createAdmin>;

/** Every operation's name, as permissions.ts spells it: `tokens.unlock`, `setPolicy`. */
type OperationsOf<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends (...args: never[]) => unknown
    ? `${Prefix}${K}`
    : OperationsOf<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type Operation = OperationsOf<AdminService>;

// Each operation has exactly one row in the table of permissions: a new operation without one does not compile.
type Rows = keyof typeof operationRules;
const everyOperationHasARow: [Operation] extends [Rows] ? ([Rows] extends [Operation] ? true : never) : never = true;
void everyOperationHasARow;
