import { sharedDatabaseName, type Store } from '../store/index.ts';
import type { ChangeTransport } from './feed.ts';
import { redisTransport } from './redis/transport.ts';
import { postgresTransport } from './sql/postgres.ts';
import { sqliteTransport } from './sql/sqlite.ts';

/**
 * The change feed's transport: Redis where `redisUrl` is given, else the store's own database. On Redis the channel
 * is named after the database the nodes share (its name and schema, or the SQLite file), not after how a node
 * reaches it, so nodes that write the host differently still hear each other.
 */
export function openChangeTransport(
  store: Store,
  options: { sqlitePollMs: number; redisUrl?: string; onError(error: unknown): void },
): ChangeTransport {
  if (options.redisUrl) return redisTransport(options.redisUrl, redisChannel(store), options.onError);
  return store.dialect === 'postgres'
    ? postgresTransport(store.db, store.url, options.onError)
    : sqliteTransport(store.db, store.url.slice('sqlite:'.length), options.sqlitePollMs, options.onError);
}

/** The Redis channel of the nodes that serve `store`'s database. */
export const redisChannel = (store: Store): string => `tessera:changes:${sharedDatabaseName(store.url)}`;
