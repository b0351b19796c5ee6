// A node's workers: the primary process that forks and keeps them (node:cluster), and what a worker knows of itself.
import cluster from 'node:cluster';

export { workerCount } from './count.ts';
export { runPrimary } from './primary.ts';

/** This process's worker index (TESSERA_WORKER) when it is one of a node's workers; undefined for a lone process. */
export function workerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(process.env.TESSERA_WORKER);
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** Set in a worker the primary restarted after it died: what a node does once at its start is not done again. */
export const isRestartedWorker = (): boolean => cluster.isWorker && process.env.TESSERA_WORKER_RESTARTED === '1';

/** A worker tells the primary it listens; the primary counts the start done when every worker has. */
export function announceListening(): void {
  if (cluster.isWorker) process.send?.({ tessera: 'listening' });
}
