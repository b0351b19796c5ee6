// Append-only, hash-chained audit log: every concern records its events here and nowhere else.
export {
  createAudit,
  type Audit,
  type AuditEvent,
  type AuditOptions,
  type AuditVerdict,
  type ChainProblem,
  type ChainVerdict,
  anchorAction,
  legacyChain,
  type AuditStep,
  type DomainEvent,
  type ReportEvent,
} from './audit.ts';
export type { AuditStore, ChainedEvent, ChainHead, EventPosition, EventQuery, RecordedEvent } from './store.ts';
export { createSqlAuditStore } from './sql/audit-store.ts';
