// SQLite carries the feed's notices in a table: the writer (a CLI command, say, in another process) bumps its topic's
// counter in the same file, and the server looks every `pollMs` on a connection of its own. `PRAGMA data_version`
// changes only when another connection has committed, so a look that finds nothing costs one pragma, no table read.
import { DatabaseSync } from 'node:sqlite';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import { isTopic, type ChangeTransport } from '../feed.ts';

export function sqliteTransport(
  db: Kysely<Database>,
  path: string,
  pollMs: number,
  onError: (error: unknown) => void,
): ChangeTransport {
  let timer: NodeJS.Timeout | undefined;
  let reader: DatabaseSync | undefined;
  return {
    async publish(change) {
      await db
        .insertInto('cluster_changes')
        .values({ topic: change.topic, version: 1, origin: change.origin, changed_at: change.sentAtMs })
        .onConflict((oc) =>
          oc.column('topic').doUpdateSet((eb) => ({
            version: eb('cluster_changes.version', '+', 1),
            origin: change.origin,
            changed_at: change.sentAtMs,
          })),
        )
        .execute();
    },
    async start(receiver) {
      // An in-memory database belongs to this process alone: nobody else can write to it.
      if (path === ':memory:') return;
      const r = new DatabaseSync(path, { readOnly: true });
      reader = r;
      r.exec('PRAGMA busy_timeout = 1000');
      const dataVersion = r.prepare('PRAGMA data_version');
      const counters = r.prepare('select topic, version, origin, changed_at from cluster_changes');
      type Row = { topic: string; version: number; origin: string; changed_at: number };
      const read = () => new Map((counters.all() as Row[]).map((row) => [row.topic, row]));
      let seen = read();
      let version = dataVersion.get()!.data_version;
      timer = setInterval(() => {
        try {
          const now = dataVersion.get()!.data_version;
          if (now === version) return;
          version = now;
          const rows = read();
          for (const [topic, row] of rows) {
            if (!isTopic(topic)) continue;
            const before = seen.get(topic)?.version ?? 0;
            if (row.version === before) continue;
            // Two changes between looks, the last ours: the other is reloaded too (origin '' is nobody).
            const origin = Number(row.version) - Number(before) === 1 ? row.origin : '';
            receiver.changed({ topic, origin, sentAtMs: Number(row.changed_at) });
          }
          seen = rows;
        } catch (error) {
          onError(error);
        }
      }, pollMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      reader?.close();
      reader = undefined;
    },
  };
}
