// Every data test runs on both databases. PostgreSQL comes from TESSERA_TEST_POSTGRES_URL
// (default 127.0.0.1:5432/test); each run gets its own schema, dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { before, after } from 'node:test';
import { openStore, type Store } from '../../src/store/index.ts';

export const postgresBaseUrl = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresBaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export async function createTestDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    return {
      dialect,
      url: `sqlite:${join(dir, 'tessera.db')}`,
      // The checkpointer thread may still be removing the -wal and -shm files it closed after the store.
      drop: async () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    dialect,
    url: `${postgresBaseUrl}${postgresBaseUrl.includes('?') ? '&' : '?'}schema=${schema}`,
    async drop() {
      const client = new pg.Client({ connectionString: postgresBaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

// The dialects a test suite runs on. In CI a missing PostgreSQL is a failure, never a skip.
export async function testDialects(): Promise<Array<'sqlite' | 'postgres'>> {
  if (await postgresReachable()) return ['sqlite', 'postgres'];
  if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${postgresBaseUrl}; CI requires it`);
  process.emitWarning(`PostgreSQL not reachable at ${postgresBaseUrl}: running on SQLite only`);
  return ['sqlite'];
}

/**
 * A migrated store for the suite being declared, on the given dialect: created before its tests, closed and
 * dropped after them. Read `.store` inside the tests.
 */
export function useMigratedStore(dialect: 'sqlite' | 'postgres'): { readonly store: Store } {
  const holder = {} as { store: Store; database: TestDatabase };
  before(async () => {
    holder.database = await createTestDatabase(dialect);
    holder.store = openStore(holder.database.url);
    await holder.store.migrate();
  });
  after(async () => {
    await holder.store.close();
    await holder.database.drop();
  });
  return {
    get store() {
      return holder.store;
    },
  };
}
