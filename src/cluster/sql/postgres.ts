// PostgreSQL carries the feed's notices with LISTEN/NOTIFY on a connection of its own: delivered at once to every
// session listening on the database, never stored. A connection lost is reopened with back-off, and since notices
// sent meanwhile are gone, every topic then counts as changed.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { postgresConnection, type Database } from '../../store/index.ts';
import { formatNotice, parseNotice, type ChangeTransport } from '../feed.ts';

type Receiver = Parameters<ChangeTransport['start']>[0];

// NOTIFY reaches every session of the database, whatever its search_path: one channel per schema keeps tenants and
// test runs apart. Channel names are identifiers (at most 63 bytes).
function channelOf(schema: string | null): string {
  const name = `tessera_changes${schema ? `.${schema}` : ''}`;
  return name.length <= 63 ? name : `tessera_changes.${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export function postgresTransport(
  db: Kysely<Database>,
  url: string,
  onError: (error: unknown) => void,
  retry = { firstMs: 250, maxMs: 10_000 },
): ChangeTransport {
  const { connectionString, schema } = postgresConnection(url);
  const channel = channelOf(schema);
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delayMs = retry.firstMs;

  async function connect(receiver: Receiver, reconnecting: boolean): Promise<void> {
    const c = new pg.Client({ connectionString });
    const lost = (error?: unknown) => {
      if (client !== c) return;
      client = undefined;
      c.removeAllListeners('notification');
      c.end().catch(() => {});
      if (stopped) return;
      if (error) onError(error);
      timer = setTimeout(() => void attempt(receiver), delayMs);
      delayMs = Math.min(delayMs * 2, retry.maxMs);
    };
    c.on('error', lost);
    c.on('end', () => lost(new Error('the change feed connection ended')));
    c.on('notification', (n) => {
      const change = n.channel === channel ? parseNotice(n.payload) : undefined;
      if (change) receiver.changed(change);
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
    } catch (error) {
      c.end().catch(() => {});
      throw error;
    }
    // Only now is a loss this connection's to repair (a failed attempt is retried by attempt()).
    client = c;
    delayMs = retry.firstMs;
    if (reconnecting) receiver.missed();
  }

  async function attempt(receiver: Receiver): Promise<void> {
    try {
      await connect(receiver, true);
    } catch (error) {
      if (stopped) return;
      onError(error);
      timer = setTimeout(() => void attempt(receiver), delayMs);
      delayMs = Math.min(delayMs * 2, retry.maxMs);
    }
  }

  return {
    async publish(change) {
      await sql`select pg_notify(${channel}, ${formatNotice(change)})`.execute(db);
    },
    async start(receiver) {
      stopped = false;
      await connect(receiver, false);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
