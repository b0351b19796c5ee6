// Kysely's SQLite dialect speaks the better-sqlite3 interface; node:sqlite is built into Node 24,
// so this small adapter replaces a native dependency.
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { CompiledQuery, QueryResult, SqliteDatabase, SqliteStatement } from 'kysely';

// Kysely asks for a statement per query; preparing is a real cost on hot paths (token endpoint), so the
// statements of the few hundred distinct queries Tessera runs are kept.
const statementCacheSize = 500;
// A checkpoint copies the write-ahead log into the database file and fsyncs both. Left to the writing connection
// (every 1000 pages), it stalled every request queued behind it for milliseconds. A worker thread does it every
// `checkpointIntervalMs` instead; the writer's own checkpoint stays as a backstop should the worker fall behind.
const checkpointIntervalMs = 100;
const backstopCheckpointPages = 10_000;

export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;');
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(db, path);
  const statements = new Map<string, { statement: ReturnType<DatabaseSync['prepare']>; reader: boolean }>();
  const prepared = (sql: string) => {
    let entry = statements.get(sql);
    if (!entry) {
      const statement = db.prepare(sql);
      entry = { statement, reader: statement.columns().length > 0 };
      if (statements.size >= statementCacheSize) statements.delete(statements.keys().next().value!);
      statements.set(sql, entry);
    }
    return entry;
  };
  return {
    raw: db,
    close: () => { checkpointer?.postMessage('close'); statements.clear(); db.close(); },
    prepare(sql: string): SqliteStatement {
      const { statement, reader } = prepared(sql);
      const params = (p: ReadonlyArray<unknown>) => p.map(toSqliteValue) as never[];
      return {
        reader,
        all: (p) => statement.all(...params(p)),
        run: (p) => {
          const { changes, lastInsertRowid } = statement.run(...params(p));
          return { changes, lastInsertRowid };
        },
        iterate: (p) => statement.iterate(...params(p)) as IterableIterator<unknown>,
      };
    },
  };
}

/** What Kysely's SQLite connection answers for a query, without its promise: the same statement cache and values. */
export function runSqlite(db: SqliteDatabase, query: CompiledQuery): QueryResult<unknown> {
  const statement = db.prepare(query.sql);
  if (statement.reader) return { rows: statement.all(query.parameters) as unknown[] };
  const { changes, lastInsertRowid } = statement.run(query.parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

function startCheckpointer(db: DatabaseSync, path: string): Worker {
  db.exec(`PRAGMA wal_autocheckpoint = ${backstopCheckpointPages}`);
  const worker = new Worker(new URL('./wal-checkpointer.ts', import.meta.url), { workerData: { path, intervalMs: checkpointIntervalMs } });
  // It must not keep a finished process alive; should it fail (say, the file was deleted), the writer checkpoints as
  // before.
  worker.unref();
  worker.on('error', () => { try { db.exec('PRAGMA wal_autocheckpoint = 1000'); } catch { /* closed already */ } });
  return worker;
}

function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}
