// This process as a node of the cluster serving one database: it joins (refused when a shared setting differs from the
// nodes serving now), hears the other processes' changes, and leaves when it closes.
import { ClusterError, createNodeMembership, createSqlNodeStore } from '../cluster/index.ts';
import { ConfigError, envVariable } from '../config.ts';
import type { Foundation } from './foundation.ts';

export function composeCluster(f: Foundation) {
  const membership = createNodeMembership(
    createSqlNodeStore(f.store.db),
    { issuer: f.config.issuer },
    f.backstopMs,
    () => Date.now(),
  );
  let joined = false;
  return {
    /** Before the ports open. */
    async join(): Promise<void> {
      await membership.join().catch((err) => {
        if (!(err instanceof ClusterError)) throw err;
        // A node killed without closing still counts for three backstop periods (its row is not removed).
        const goneAfter = Math.ceil((3 * f.backstopMs) / 1000);
        throw new ConfigError(
          `${err.key} (${envVariable(err.key)}) must be the same on every node of one database: ${err.message} ` +
            `(a node counts as serving until ${goneAfter} s after its last sign of life)`,
        );
      });
      joined = true;
      f.feed.onBackstop(() => membership.touch());
      await f.feed.start().catch((err) => {
        if (!f.config.cluster.redisUrl) throw err;
        throw new ConfigError(
          `cluster.redisUrl (${envVariable('cluster.redisUrl')}): Redis did not answer (${(err as Error).message}), ` +
            'and the change feed goes through it',
        );
      });
    },
    async leave(): Promise<void> {
      // Also a command's, which never joined but may have opened a connection to publish (Redis).
      await f.feed.stop();
      if (!joined) return;
      joined = false;
      await membership.leave().catch((err) => f.logger.warn({ err: (err as Error).message }, 'node row not removed'));
    },
  };
}
