// The settings every node serving one database must share, checked when a node starts serving. Only what breaks the
// cluster when it differs: the issuer (every token's `iss`, the SAML entity ID, every link; a node with another one
// mints tokens the others refuse). The key-encryption key is checked by opening the secrets; the cookie keys and
// peppers are in the database. Settings that may differ for a while on purpose (http.trustProxy during a rolling
// change of the load balancers, timeouts, the directory's servers) are not checked.
import { randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/index.ts';

export const sharedSettings = ['issuer'] as const;
export type SharedSettings = Record<(typeof sharedSettings)[number], string>;

export interface NodeRow {
  id: string;
  settings: SharedSettings;
  startedAt: number;
  seenAt: number;
}

export interface NodeStore {
  /** Nodes seen since `sinceMs` (older rows are of nodes gone, and are removed). */
  live(sinceMs: number): Promise<NodeRow[]>;
  put(row: NodeRow): Promise<void>;
  touch(id: string, atMs: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Runs `work` holding the cluster-wide lock on the node rows. */
  exclusively<T>(work: (locked: NodeStore) => Promise<T>): Promise<T>;
}

export class ClusterError extends TesseraError<'cluster.setting_differs'> {
  readonly key: string;
  constructor(key: string, ours: string, theirs: string) {
    super('cluster.setting_differs', {
      message: `${key} is ${ours} here but ${theirs} on the nodes already serving this database`,
    });
    this.key = key;
  }
}

/**
 * This node's entry among the nodes serving now: refused (ClusterError naming the key) when a live node has another
 * value of a shared setting. A node is live while it touches its row every backstop period; a row three periods old
 * is of a node that died.
 */
export function createNodeMembership(
  store: NodeStore,
  settings: SharedSettings,
  backstopMs: number,
  now: () => number,
) {
  const id = randomBytes(9).toString('base64url');
  return {
    id,
    join: () =>
      store.exclusively(async (locked) => {
        const at = now();
        for (const node of await locked.live(at - 3 * backstopMs)) {
          for (const key of sharedSettings) {
            if (node.settings[key] !== settings[key]) throw new ClusterError(key, settings[key], node.settings[key]);
          }
        }
        await locked.put({ id, settings, startedAt: at, seenAt: at });
      }),
    touch: () => store.touch(id, now()),
    leave: () => store.remove(id),
  };
}
