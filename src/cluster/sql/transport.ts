import type { Store } from '../../store/index.ts';
import type { ChangeTransport } from '../feed.ts';
import { postgresTransport } from './postgres.ts';
import { sqliteTransport } from './sqlite.ts';

/** The change feed's transport for the store's database. */
export function openChangeTransport(
  store: Store,
  options: { sqlitePollMs: number; onError(error: unknown): void },
): ChangeTransport {
  return store.dialect === 'postgres'
    ? postgresTransport(store.db, store.url, options.onError)
    : sqliteTransport(store.db, store.url.slice('sqlite:'.length), options.sqlitePollMs, options.onError);
}
