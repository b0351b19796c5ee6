// The one table of who may call what. Every operation of the admin service has a row; the service is built only
// through `guard` (service.ts), so the CLI, the console and any API obey the same rules. A row names the permission
// an operation needs and, for the helpdesk's work, the person it is about: a helpdesk agent limited to a directory
// group or an OU may act only on the people in it, and one outside it is answered as if there were no such person.
import { AdminError } from './errors.ts';
import { isAtOrBelow } from '../directory/index.ts';
import type { Account } from '../identity/index.ts';
import type { Role, RoleGrant } from './roles.ts';

/**
 * `people`: a person's tokens, sign-ins and sessions (scoped); `audit`: the whole log; `system`: everything else;
 * `self`: what any operator may ask about themselves (their own roles).
 */
export type Permission = 'people' | 'audit' | 'system' | 'self';

export const permissionsOf: Record<Role, readonly Permission[]> = {
  admin: ['people', 'audit', 'system', 'self'],
  helpdesk: ['people', 'self'],
  auditor: ['audit', 'self'],
};

/** Whom a call is about: by any form of their name, by a token's serial, or by either (a search). */
export type Person = { login: string; fromDirectory?: true } | { serial: string } | { query: string } | null;

export interface Rule {
  needs: Permission;
  /** The person the call is about; without it (or null), only a grant for everyone allows the call. */
  about?: (...args: never[]) => Person;
  /** The rule allows only calls about one person (`about` not null), even to a grant for everyone. */
  onlyAboutSomeone?: true;
  /** What a caller who may not see this person is told: what a call about nobody would say. */
  hidden?: (...args: never[]) => AdminError;
  /**
   * A list of people that the operation itself keeps to the caller's scope (it is given their grants): any holder of
   * the permission may call it, and a scoped one sees only the people of their scope in it.
   */
  listsWithinScope?: true;
}

/** An operation's rule, or several of which any one allows the call. */
export type Row = Rule | readonly Rule[];

const unknownAccount = (login: string) => new AdminError('admin.account_unknown', { field: 'user', subject: login });
const byLogin: Pick<Rule, 'about' | 'hidden'> = {
  about: (login: string) => ({ login }),
  hidden: (login: string) => unknownAccount(login),
};
const bySerial = (code: 'admin.token_not_in_use' | 'admin.token_not_bound'): Pick<Rule, 'about' | 'hidden'> => ({
  about: (serial: string) => ({ serial }),
  hidden: (serial: string) => new AdminError(code, { field: 'serial', subject: serial }),
});
/** A query naming a person (`user`) is helpdesk work about that person; one naming nobody is not. */
const byQueryUser: Pick<Rule, 'about' | 'hidden'> = {
  about: (q: { user?: string }) => (q.user === undefined ? null : { login: q.user }),
  hidden: (q: { user?: string }) => unknownAccount(q.user ?? ''),
};
const byQuery: Pick<Rule, 'about' | 'hidden'> = {
  about: (query: string) => ({ query }),
  hidden: (query: string) => new AdminError('admin.account_unknown', { field: 'q', subject: query }),
};
const system: Rule = { needs: 'system' };

/**
 * Operation → who may call it. The keys are checked against the service's operations (service.ts): an operation
 * without a row does not compile, and neither does a row for an operation that does not exist.
 */
export const operationRules = {
  'people.find': { needs: 'people', ...byQuery },
  'people.search': { needs: 'people', listsWithinScope: true },
  'tokens.list': { needs: 'people', ...byLogin },
  'tokens.unlock': { needs: 'people', ...bySerial('admin.token_not_in_use') },
  'tokens.unbind': { needs: 'people', ...bySerial('admin.token_not_bound') },
  'tokens.assign': { needs: 'people', ...byLogin },
  'tokens.resync': { needs: 'people', ...bySerial('admin.token_not_in_use') },
  'sessions.list': { needs: 'people', ...byLogin },
  'sessions.endAll': { needs: 'people', ...byLogin },
  // The person asking for a code has often never signed in here: the directory says who they are and their groups.
  'registrationCodes.issue': {
    needs: 'people',
    about: (login: string) => ({ login, fromDirectory: true }),
    hidden: (login: string) => unknownAccount(login),
  },
  'tokens.importSeedFile': system,
  'tokens.importPskcFile': system,
  'clients.add': system,
  'clients.list': system,
  'clients.remove': system,
  'saml.add': system,
  'saml.list': system,
  'saml.remove': system,
  'saml.rotateKeys': system,
  'radiusClients.add': system,
  'radiusClients.list': system,
  'radiusClients.remove': system,
  'radiusClients.test': system,
  // The whole log is the auditor's; the helpdesk reads what happened to one person (why their login was refused).
  'audit.list': [{ needs: 'audit' }, { needs: 'people', ...byQueryUser, onlyAboutSomeone: true }],
  'audit.verify': { needs: 'audit' },
  'vpnSessions.list': { needs: 'people', ...byQueryUser },
  'roles.grant': system,
  'roles.revoke': system,
  'roles.list': system,
  'roles.mine': { needs: 'self' },
  addUser: system,
  setPolicy: system,
  listPolicies: system,
  rotateSigningKeys: system,
  syncDirectory: system,
  checkDirectory: system,
  sendCampaign: system,
} as const satisfies Record<string, Row>;

/**
 * Whether a grant's scope covers the person: unscoped grants cover everyone, a group scope its members, an OU scope
 * the people whose directory entry is at or below the OU (compared RDN by RDN, never as text: see directory/dn.ts).
 */
export function covers(
  grant: Pick<RoleGrant, 'scope'>,
  person: Pick<Account, 'groups' | 'directoryDn'> | undefined,
): boolean {
  const { scope } = grant;
  if (scope === null) return true;
  if (person === undefined) return false;
  if (scope.kind === 'ou') return typeof person.directoryDn === 'string' && isAtOrBelow(person.directoryDn, scope.dn);
  const group = scope.group.toLowerCase();
  return person.groups.some((g) => g.toLowerCase() === group);
}

export const rulesOf = (row: Row): readonly Rule[] => (Array.isArray(row) ? row : [row as Rule]);
