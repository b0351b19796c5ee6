// What the helpdesk reads: the audit log (why a sign-in or VPN login was refused, who changed what), its chain check,
// and the VPN sessions the gateways reported.
import type { EventPosition, RecordedEvent } from '../audit/index.ts';
import type { VpnSession } from '../radius/index.ts';
import { AdminError } from './errors.ts';
import type { AdminPorts } from './ports.ts';

const limits = { min: 1, max: 10_000 };
// An action filter is a name or its first parts (`radius`, `radius.reject`), never a pattern.
const actionName = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < limits.min || limit > limits.max) {
    throw new AdminError('admin.invalid_limit', { field: 'limit', params: limits });
  }
  return limit;
}

export interface AuditQuery {
  /** An e-mail address or a directory name in any form; also finds VPN logins by the name as typed. */
  user?: string;
  /** An action or its first parts. */
  action?: string;
  /** The next page: events listed after this one (the `id` of the last one of the page before). */
  before?: number;
  /** A page by time (the console's): the events past this one, toward older or newer ones; newest first either way. */
  from?: EventPosition & { toward: 'older' | 'newer' };
  limit: number;
}

const isPlace = (n: number) => Number.isSafeInteger(n) && n >= 0;

export function auditAdmin(p: AdminPorts) {
  return {
    /** Newest first, with the accounts the events are about named (id → user name or e-mail address). */
    async list(query: AuditQuery): Promise<{ events: RecordedEvent[]; names: Map<string, string> }> {
      const limit = checkLimit(query.limit);
      if (query.action !== undefined && !actionName.test(query.action)) {
        throw new AdminError('admin.invalid_action', { field: 'action' });
      }
      if (query.before !== undefined && !(Number.isSafeInteger(query.before) && query.before > 0)) {
        throw new AdminError('admin.invalid_page', { field: 'before' });
      }
      const { from } = query;
      if (from !== undefined && !(isPlace(from.at) && isPlace(from.id) && ['older', 'newer'].includes(from.toward))) {
        throw new AdminError('admin.invalid_page', { field: 'from' });
      }
      const account = query.user === undefined ? undefined : await p.accounts.findByLogin(query.user);
      const who = query.user === undefined ? undefined : { name: query.user, accountId: account?.id };
      const events = await p.audit.list({ who, action: query.action, before: query.before, from, limit });
      const names = new Map<string, string>();
      for (const subject of new Set(events.map((e) => e.subject).filter((s): s is string => s !== null))) {
        const named = await p.accounts.findAccount(subject);
        if (named) names.set(subject, named.username ?? named.email ?? subject);
      }
      return { events, names };
    },

    /** Whether any event was changed or removed after it was written. */
    verify: () => p.audit.verify(),
  };
}

export function vpnSessionAdmin(p: AdminPorts) {
  return {
    /** Newest first; `active`: those no Stop has ended. */
    async list(query: { active?: boolean; user?: string; limit: number }): Promise<VpnSession[]> {
      return p.vpnSessions.list({ active: query.active, userName: query.user, limit: checkLimit(query.limit) });
    },
  };
}
