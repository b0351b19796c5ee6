import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { createStatementBatcher, ImmediateSqliteDialect, openSqlite } from './sqlite.ts';
import { runDirectly, type DirectExecutor } from './prepared.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { TesseraError } from '../errors/index.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  /**
   * For the rate-limit counters: on PostgreSQL, connections whose commits do not wait for the write-ahead log to
   * reach the disk. Every attempt from one address or station updates its counter row, and that row stayed locked
   * for the whole flush of each commit before the next attempt could count. A crash may forget the last fraction of
   * a second of counts; a throttle can afford that, the records (a code's single use, the audit log) cannot, and
   * keep `db`. On SQLite, `db` itself.
   */
  counters: Kysely<Database>;
  dialect: Dialect;
  /** The database URL it was opened with (the change feed opens its own connection to it). */
  url: string;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export class StoreError extends TesseraError<'store.bad_url' | 'store.migration_failed'> {
  constructor(code: StoreError['code'], message: string) {
    super(code, { message });
  }
}

const int8 = 20;
const numeric = 1700;

/**
 * `postgres://…?schema=name` selects a schema (created when missing), so test runs and tenants don't collide: the
 * server's URL without it, and the schema.
 */
export function postgresConnection(url: string): { connectionString: string; schema: string | null } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError('store.bad_url', 'databaseUrl: schema must be a lowercase SQL identifier');
  }
  return { connectionString: parsed.toString(), schema };
}

/**
 * The database the processes serving `url` share, named the same by every one of them however it reaches it (host
 * names and credentials aside): `sqlite:<absolute path>` or `postgres:<database>[:<schema>]`. Names what they share
 * elsewhere, e.g. in Redis.
 */
export function sharedDatabaseName(url: string): string {
  if (url.startsWith('sqlite:')) return `sqlite:${resolve(url.slice('sqlite:'.length))}`;
  const { connectionString, schema } = postgresConnection(url);
  const parsed = new URL(connectionString);
  // Without a database name PostgreSQL takes the user's.
  const database = decodeURIComponent(parsed.pathname.slice(1) || parsed.username) || 'postgres';
  return `postgres:${database}${schema ? `:${schema}` : ''}`;
}

function postgresPool(url: string, o: { max: number; settings?: string }): { pool: pg.Pool; schema: string | null } {
  const { connectionString, schema } = postgresConnection(url);
  const settings = [schema ? `-c search_path=${schema}` : '', o.settings ?? ''].filter(Boolean).join(' ');
  const pool = new pg.Pool({
    connectionString,
    max: o.max,
    options: settings || undefined,
    // Times are stored as bigint milliseconds; they fit a JS number for the next 285,000 years.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === int8 || oid === numeric
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  });
  return { pool, schema };
}

export interface StoreOptions {
  /**
   * SQLite: how long a write waits for another process's write lock. A request thread blocks while it waits, so the
   * server keeps SQLite's 5 s; a command at the operator's terminal blocks no one and may wait longer.
   */
  lockWaitMs?: number;
}

/** The lock wait of a command at the terminal (`lockWaitMs`): a write of the server's is never that long. */
export const operatorLockWaitMs = 60_000;

const countsRows = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * PostgreSQL parses and plans an unnamed statement at every call, a named one once per connection. The hot queries
 * (prepared.ts) keep one SQL text each, so each gets a name: PostgreSQL spent ~30 % less time per VPN login (bench).
 * They also skip Kysely's connection handling, as Kysely's own driver would answer them.
 */
function namedStatements(pool: pg.Pool): DirectExecutor {
  const names = new Map<string, string>();
  return async (query) => {
    let name = names.get(query.sql);
    if (name === undefined) {
      name = `tessera_${names.size}`;
      names.set(query.sql, name);
    }
    const { command, rowCount, rows } = await pool.query({ name, text: query.sql, values: [...query.parameters] });
    return { rows: rows ?? [], numAffectedRows: countsRows.has(command) ? BigInt(rowCount ?? 0) : undefined };
  };
}

export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  let db: Kysely<Database>;
  let counters: Kysely<Database> | undefined;
  let dialect: Dialect;
  let serialize = <T>(work: () => Promise<T>): Promise<T> => work();
  let schemaName: string | undefined;
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    dialect = 'sqlite';
    const sqlite = openSqlite(path, { lockWaitMs: options.lockWaitMs });
    db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
    runDirectly(
      db,
      createStatementBatcher(sqlite, (query) => db.executeQuery(query)),
    );
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { pool, schema } = postgresPool(databaseUrl, { max: 10 });
    dialect = 'postgres';
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    runDirectly(db, namedStatements(pool));
    const counterPool = postgresPool(databaseUrl, { max: 4, settings: '-c synchronous_commit=off' }).pool;
    counters = new Kysely<Database>({ dialect: new PostgresDialect({ pool: counterPool }) });
    runDirectly(counters, namedStatements(counterPool));
    // Nodes starting together migrate one after the other: CREATE SCHEMA IF NOT EXISTS and Kysely's own lock table
    // race otherwise (a duplicate key in pg_namespace). A session advisory lock, released when the work is done.
    serialize = async (work) => {
      const client = await pool.connect();
      const lock = `tessera:migrate:${schema ?? 'public'}`;
      try {
        await client.query('select pg_advisory_lock(hashtext($1))', [lock]);
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        return await work();
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [lock]).catch(() => {});
        client.release();
      }
    };
    // Kysely looks for its migration tables by name; naming the schema keeps another schema's tables out of it.
    if (schema) schemaName = schema;
  } else {
    throw new StoreError('store.bad_url', 'databaseUrl must start with sqlite: or postgres://');
  }
  const provider: MigrationProvider = { getMigrations: async () => migrations as Record<string, Migration> };
  return {
    db,
    counters: counters ?? db,
    dialect,
    url: databaseUrl,
    migrate: () =>
      serialize(async () => {
        const migrator = new Migrator({
          db,
          provider,
          migrationTableName: 'tessera_migrations',
          migrationLockTableName: 'tessera_migrations_lock',
          allowUnorderedMigrations: true,
          ...(schemaName ? { migrationTableSchema: schemaName } : {}),
        });
        // Kysely's migrator reads the catalogue of every schema first: another schema dropped meanwhile (another
        // tenant's or test run's) fails that read, not our migration, so it is tried again.
        for (let attempt = 1; ; attempt++) {
          const { error, results } = await migrator.migrateToLatest();
          const vanished = /(?:schema "([^"]+)"|relation "([^".]+)\.[^"]+") does not exist/.exec(
            (error as Error | undefined)?.message ?? '',
          );
          const vanishedSchema = vanished?.[1] ?? vanished?.[2];
          if (error && vanishedSchema !== undefined && vanishedSchema !== schemaName && attempt < 5) continue;
          if (error) throw new StoreError('store.migration_failed', `migration failed: ${(error as Error).message}`);
          return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        }
      }),
    close: async () => {
      await counters?.destroy();
      await db.destroy();
    },
  };
}

/** SQLite's "database is locked": another process held the write lock for longer than this one would wait. */
export function isDatabaseBusy(err: unknown): boolean {
  const e = err as { code?: string; errcode?: number };
  return e?.code === 'ERR_SQLITE_ERROR' && (e.errcode ?? 0) % 256 === 5;
}

// True when an insert or update failed on a unique or primary key constraint, on either database.
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errcode?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed|PRIMARY KEY/i.test(e?.message ?? '');
}
