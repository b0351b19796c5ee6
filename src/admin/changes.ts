import type { AdminOptions, AdminPorts } from './ports.ts';

/** Records a change the operator made: one audit row, the operator its actor. */
export function recorder(p: AdminPorts, o: AdminOptions) {
  return (action: string, subject: string | null, details?: Record<string, unknown>) =>
    p.audit.record({ actor: o.actor, action, subject, outcome: 'success', details });
}
