// A load generator in a worker thread of its own. Where the baseline is another process (FreeRADIUS, slapd), a
// generator in Tessera's thread would take CPU from Tessera alone; in its own thread it weighs on both sides alike.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { LoadResult } from './load.ts';

/** What a generator module's factory returns: one measured round per call. */
export interface LoadSide {
  /** A closed-loop round, or with `ratePerSecond` an open-loop one (load.ts openLoop). */
  round(name: string, ratePerSecond?: number): Promise<LoadResult>;
  close?(): Promise<void>;
}

export interface WorkerLoad {
  round(name: string, ratePerSecond?: number): Promise<LoadResult>;
  close(): Promise<void>;
}

type Reply = { ready: true } | { result: LoadResult } | { error: string } | { closed: true };

/**
 * Starts `factory(options)` of `module` in a new worker thread. `options` crosses by structured clone, so it may
 * carry a SharedArrayBuffer (e.g. a clock both threads read).
 */
export async function startWorkerLoad(module: URL, factory: string, options: unknown): Promise<WorkerLoad> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { module: module.href, factory, options } });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).finally(() => worker.removeAllListeners('error'));
  const expect = async <K extends 'ready' | 'result' | 'closed'>(key: K) => {
    const reply = await next();
    if ('error' in reply) throw new Error(reply.error);
    if (!(key in reply)) throw new Error(`load worker answered ${JSON.stringify(reply)}`);
    return reply as Extract<Reply, Record<K, unknown>>;
  };
  await expect('ready');
  return {
    async round(name, ratePerSecond) {
      worker.postMessage({ round: name, ratePerSecond });
      return (await expect('result')).result;
    },
    async close() {
      worker.postMessage({ close: true });
      await expect('closed');
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort && workerData?.factory) {
  const port = parentPort;
  const fail = (err: unknown) => port.postMessage({ error: (err as Error).stack ?? String(err) });
  try {
    const loaded = (await import(workerData.module)) as Record<string, (options: unknown) => Promise<LoadSide>>;
    const side = await loaded[workerData.factory](workerData.options);
    port.on('message', (message: { round?: string; ratePerSecond?: number; close?: true }) => {
      if (message.round !== undefined)
        side.round(message.round, message.ratePerSecond).then((result) => port.postMessage({ result }), fail);
      else if (message.close) Promise.resolve(side.close?.()).then(() => port.postMessage({ closed: true }), fail);
    });
    port.postMessage({ ready: true });
  } catch (err) {
    fail(err);
  }
}
