// Append-only, hash-chained audit log: each event's hash covers the previous one, so removing or
// editing a row breaks the chain and `verify()` says where.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation, type Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

export interface AuditEvent {
  actor: string;
  action: string;
  subject?: string | null;
  source?: string | null;
  outcome: 'success' | 'failure' | 'denied' | (string & {});
  details?: Record<string, unknown>;
}

export interface Audit {
  record(event: AuditEvent): Promise<void>;
  verify(): Promise<{ ok: true; events: number } | { ok: false; brokenAt: number }>;
}

const genesis = '0'.repeat(64);

function chainHash(prev: string, row: { seq: number; at: number; actor: string; action: string; subject: string | null; source: string | null; outcome: string; details: string }): string {
  return createHash('sha256').update(JSON.stringify([prev, row.seq, row.at, row.actor, row.action, row.subject, row.source, row.outcome, row.details])).digest('hex');
}

/**
 * `currentSource` tells the address of the request being served (the HTTP layer keeps it per request), so domain
 * code records its events without knowing about requests.
 */
export function createAudit(db: Kysely<Database>, clock: Clock, currentSource: () => string | undefined = () => undefined): Audit {
  return {
    async record(event) {
      // Two nodes may append at once: the sequence number is the primary key, so the loser retries on the new tail.
      for (let attempt = 0; ; attempt++) {
        try {
          await db.transaction().execute(async (trx) => {
            const tail = await trx.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
            const row = {
              seq: (tail?.seq ?? 0) + 1,
              at: clock.now(),
              actor: event.actor,
              action: event.action,
              subject: event.subject ?? null,
              source: event.source ?? currentSource() ?? null,
              outcome: event.outcome,
              details: JSON.stringify(event.details ?? {}),
            };
            const prev_hash = tail?.hash ?? genesis;
            await trx.insertInto('audit_events').values({ ...row, prev_hash, hash: chainHash(prev_hash, row) }).execute();
          });
          return;
        } catch (err) {
          if (!isUniqueViolation(err) || attempt >= 20) throw err;
        }
      }
    },
    async verify() {
      let prev = genesis;
      let count = 0;
      for (const row of await db.selectFrom('audit_events').selectAll().orderBy('seq').execute()) {
        if (row.seq !== count + 1 || row.prev_hash !== prev || chainHash(prev, row) !== row.hash) return { ok: false, brokenAt: row.seq };
        prev = row.hash;
        count++;
      }
      return { ok: true, events: count };
    },
  };
}
