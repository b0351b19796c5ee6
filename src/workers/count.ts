// How many workers a node runs, from `server.workers`, and whether its database allows them.
import { availableParallelism } from 'node:os';
import { ConfigError, envVariable, type Config } from '../config.ts';

/**
 * `auto` is one worker per core the process may use. An SQLite database takes one worker: SQLite lets one
 * connection write at a time and a commit by one process empties the others' page cache: measured on 2 cores, 2
 * workers did 0.7× the tokens and 0.5× the sign-ins of 1 (README "Workers").
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
