// How many workers a node runs, from `server.workers`, and whether its database allows them.
import { availableParallelism } from 'node:os';
import { ConfigError, envVariable, type Config } from '../config.ts';

/**
 * `auto` is one worker per core the process may use. An SQLite database takes one worker: SQLite lets one
 * connection write at a time, so workers of one file queue on its write lock and wait out each other's busy
 * timeouts instead of adding throughput (measured: README "Workers").
 */
export function workerCount(config: Config): number {
  const wanted = config.server.workers === 'auto' ? availableParallelism() : config.server.workers;
  if (wanted > 1 && config.databaseUrl.startsWith('sqlite:')) {
    const key = 'server.workers';
    throw new ConfigError(
      `${key} (${envVariable(key)}, --workers) is ${config.server.workers}, but the database is SQLite, which ` +
        'has one writer at a time: several workers would only wait for each other. Use 1 worker, or PostgreSQL ' +
        '(databaseUrl postgres://…) for several.',
    );
  }
  return wanted;
}
