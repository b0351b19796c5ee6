// Kysely's SQLite dialect speaks the better-sqlite3 interface; node:sqlite is built into Node 24,
// so this small adapter replaces a native dependency.
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { CheckpointRound } from './wal-checkpointer.ts';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type QueryResult,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

// Kysely asks for a statement per query; preparing is a real cost on hot paths (token endpoint), so the
// statements of the few hundred distinct queries Tessera runs are kept.
const statementCacheSize = 500;
// SQLite's own page cache per connection is 2 MB by default: with a million accounts the interior pages of the
// accounts table and its four indexes alone fill it, and a VPN login's account upsert read its pages back from the
// OS at every statement (measured: half the RADIUS logins per second of an empty database). 64 MB holds them.
const pageCacheKiB = 64 * 1024;
// A checkpoint copies the write-ahead log into the database file and fsyncs both. Left to the writing connection
// (every 1000 pages), it stalled every request queued behind it for milliseconds. A worker thread does it every
// `checkpointIntervalMs` instead, and starts the log over itself (wal-checkpointer.ts); past `catchUpPages` it holds
// writers off for the last frames, or steady writes would never let the log start over. The writer's own
// checkpoint stays as a backstop should the worker fail.
const checkpointIntervalMs = 100;
const catchUpPages = 4_000;
const backstopCheckpointPages = 10_000;
// A log that grew under a burst is cut back to this when it starts over, not kept at its largest.
const logSizeLimitBytes = 16 * 1024 * 1024;

export interface SqliteOptions {
  /** How long a write waits for another connection's write lock before failing with SQLITE_BUSY (default 5 s). */
  lockWaitMs?: number;
  /** Called with each round of the checkpointer thread that did something (tests and benches look at it). */
  onCheckpoint?: (round: CheckpointRound) => void;
}

export function openSqlite(path: string, options: SqliteOptions = {}): SqliteDatabase & { raw: DatabaseSync } {
  const db = new DatabaseSync(path);
  // The busy timeout first: switching to WAL reads the file under a lock that a closing connection's last
  // checkpoint may still hold (seen right after a close, as SQLITE_BUSY without any wait).
  db.exec(
    `PRAGMA busy_timeout = ${options.lockWaitMs ?? 5000}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = ${logSizeLimitBytes}; PRAGMA cache_size = -${pageCacheKiB};`,
  );
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(db, path, options.onCheckpoint);
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
    close: () => {
      checkpointer?.postMessage('close');
      statements.clear();
      db.close();
    },
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

/**
 * Kysely's SQLite dialect with every transaction begun IMMEDIATE, taking the write lock at once. The checkpointer
 * thread's connection writes too (it starts the log over, wal-checkpointer.ts), and a deferred transaction that read
 * before one of its commits could no longer write after it (SQLITE_BUSY_SNAPSHOT, which no busy handler retries).
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** What Kysely's SQLite connection answers for a query, without its promise: the same statement cache and values. */
function runSqlite(db: SqliteDatabase, query: CompiledQuery): QueryResult<unknown> {
  const statement = db.prepare(query.sql);
  if (statement.reader) return { rows: statement.all(query.parameters) as unknown[] };
  const { changes, lastInsertRowid } = statement.run(query.parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/**
 * Runs the statements asked for during one turn of the event loop together at its end, in one transaction. Run one
 * by one, each pays for a transaction of its own (file locks and the write-ahead log's index: system calls, costly on
 * a virtual machine) and finds SQLite's code and pages gone from the CPU's caches after the JavaScript between them,
 * which doubled their time (measured). On the RADIUS bench this took about a fifth off the thread's time per login.
 * A statement's result is given only once the transaction that ran it has committed. While another flow holds a
 * transaction on the connection, the statements wait their turn through `wait` (Kysely's connection): never joining it.
 */
export function createStatementBatcher(
  db: SqliteDatabase & { raw: DatabaseSync },
  wait: (query: CompiledQuery) => Promise<QueryResult<unknown>>,
) {
  interface Queued {
    query: CompiledQuery;
    resolve(result: QueryResult<unknown>): void;
    reject(err: unknown): void;
  }
  let queue: Queued[] = [];

  const runAlone = (item: Queued) => {
    try {
      item.resolve(runSqlite(db, item.query));
    } catch (err) {
      item.reject(err);
    }
  };

  function runTogether(batch: Queued[]): void {
    // Not `reader`: an insert or update with RETURNING answers rows too.
    const writes = batch.map((item) => !/^\s*select\b/i.test(item.query.sql));
    try {
      // A batch that writes takes the write lock at once: a deferred one could find a snapshot too old to write from.
      db.raw.exec(writes.includes(true) ? 'BEGIN IMMEDIATE' : 'BEGIN');
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    // Left empty for a statement that ran alone, after the transaction had ended: its caller already has its answer.
    const outcomes = new Array<{ result: QueryResult<unknown> } | { error: unknown } | undefined>(batch.length);
    const failWrites = (error: unknown) =>
      outcomes.forEach((o, j) => {
        if (writes[j] && o !== undefined) outcomes[j] = { error };
      });
    for (const [j, item] of batch.entries()) {
      if (!db.raw.isTransaction) {
        runAlone(item);
        continue;
      }
      try {
        outcomes[j] = { result: runSqlite(db, item.query) };
      } catch (error) {
        // A failed statement is undone alone (a constraint, say); an error that ended the whole transaction (disk
        // full, I/O) undid the writes before it too: they fail with it, and the statements after it run alone.
        if (!db.raw.isTransaction) failWrites(error);
        outcomes[j] = { error };
      }
    }
    try {
      if (db.raw.isTransaction) db.raw.exec('COMMIT');
    } catch (error) {
      try {
        db.raw.exec('ROLLBACK');
      } catch {
        /* the failed commit ended it already */
      }
      failWrites(error);
    }
    outcomes.forEach((o, j) => {
      if (o === undefined) return;
      if ('result' in o) batch[j].resolve(o.result);
      else batch[j].reject(o.error);
    });
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    if (db.raw.isTransaction) for (const item of batch) wait(item.query).then(item.resolve, item.reject);
    else if (batch.length === 1) runAlone(batch[0]);
    else runTogether(batch);
  }

  return (query: CompiledQuery) =>
    new Promise<QueryResult<unknown>>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ query, resolve, reject });
    });
}

function startCheckpointer(db: DatabaseSync, path: string, onCheckpoint?: SqliteOptions['onCheckpoint']): Worker {
  db.exec(`PRAGMA wal_autocheckpoint = ${backstopCheckpointPages}`);
  const worker = new Worker(new URL('./wal-checkpointer.ts', import.meta.url), {
    workerData: {
      path,
      intervalMs: checkpointIntervalMs,
      catchUpPages,
      sizeLimitBytes: logSizeLimitBytes,
      report: onCheckpoint !== undefined,
    },
  });
  if (onCheckpoint) worker.on('message', onCheckpoint);
  // It must not keep a finished process alive; should it fail (say, the file was deleted), the writer checkpoints as
  // before.
  worker.unref();
  worker.on('error', () => {
    try {
      db.exec('PRAGMA wal_autocheckpoint = 1000');
    } catch {
      /* closed already */
    }
  });
  return worker;
}

function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}
