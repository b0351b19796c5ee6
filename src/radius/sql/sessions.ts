import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { SessionChange, SessionReport } from '../accounting.ts';

export interface VpnSession extends SessionReport {
  startedAt: number;
  updatedAt: number;
  stoppedAt: number | null;
}

export interface VpnSessions {
  apply(change: SessionChange): Promise<void>;
  /** Newest first; `active` keeps the sessions no Stop has ended. */
  list(filter?: { active?: boolean; userName?: string; limit?: number }): Promise<VpnSession[]>;
  /** Ended sessions older than this go; open ones stay whatever their age. */
  purge(stoppedBefore: number): Promise<void>;
}

export function createSqlVpnSessions(db: Kysely<Database>): VpnSessions {
  return {
    async apply(change) {
      if (change.kind === 'ignored') return;
      if (change.kind === 'nas_restart') {
        await db
          .updateTable('radius_sessions')
          .set({ stopped_at: change.at, updated_at: change.at, terminate_cause: change.terminateCause })
          .where('client', '=', change.client)
          .where('stopped_at', 'is', null)
          .execute();
        return;
      }
      // A Start may be lost or arrive late (UDP): whichever record comes first creates the row, later ones fill it in.
      const startedAt =
        change.kind === 'start' || change.sessionSeconds === null
          ? change.at
          : change.at - change.sessionSeconds * 1000;
      const counters = {
        updated_at: change.at,
        ...(change.sessionSeconds !== null && { session_seconds: change.sessionSeconds }),
        ...(change.inputOctets !== null && { input_octets: change.inputOctets }),
        ...(change.outputOctets !== null && { output_octets: change.outputOctets }),
        ...(change.framedAddress !== null && { framed_address: change.framedAddress }),
        ...(change.kind === 'stop' && { stopped_at: change.at, terminate_cause: change.terminateCause }),
      };
      await db
        .insertInto('radius_sessions')
        .values({
          client: change.client,
          session_id: change.sessionId,
          user_name: change.userName,
          nas_address: change.nasAddress,
          framed_address: change.framedAddress,
          calling_station: change.callingStation,
          started_at: startedAt,
          updated_at: change.at,
          stopped_at: change.kind === 'stop' ? change.at : null,
          session_seconds: change.sessionSeconds,
          input_octets: change.inputOctets,
          output_octets: change.outputOctets,
          terminate_cause: change.kind === 'stop' ? change.terminateCause : null,
        })
        .onConflict((oc) =>
          oc
            .columns(['client', 'session_id'])
            .doUpdateSet(change.kind === 'start' ? { updated_at: change.at } : counters),
        )
        .execute();
    },
    async list(filter = {}) {
      let query = db
        .selectFrom('radius_sessions')
        .selectAll()
        .orderBy('started_at', 'desc')
        .limit(filter.limit ?? 100);
      if (filter.active) query = query.where('stopped_at', 'is', null);
      if (filter.userName !== undefined) query = query.where('user_name', '=', filter.userName);
      const rows = await query.execute();
      return rows.map((r) => ({
        client: r.client,
        sessionId: r.session_id,
        userName: r.user_name,
        nasAddress: r.nas_address,
        framedAddress: r.framed_address,
        callingStation: r.calling_station,
        startedAt: r.started_at,
        updatedAt: r.updated_at,
        stoppedAt: r.stopped_at,
        sessionSeconds: r.session_seconds,
        inputOctets: r.input_octets,
        outputOctets: r.output_octets,
        terminateCause: r.terminate_cause,
      }));
    },
    async purge(stoppedBefore) {
      await db.deleteFrom('radius_sessions').where('stopped_at', '<', stoppedBefore).execute();
    },
  };
}
