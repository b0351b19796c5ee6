// The primary process of a node with several workers: it opens no database and serves nothing itself. It forks the
// workers (node:cluster shares the HTTP, RADIUS and RadSec ports among them), restarts one that dies, and passes a
// SIGTERM or SIGINT on to them, exiting when they all have.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

// A worker that dies during its start this many times in a row will not start: the node stops and says so, rather
// than fork it forever (a port taken, a database gone, a wrong key: its own message is in the log above).
const maxFailedStarts = 5;
const firstDelayMs = 200;
const maxDelayMs = 10_000;
// A worker that served this long before dying starts the back-off from the beginning again.
const healthyAfterMs = 60_000;
// What a worker has not finished by then is cut, so that a stop never hangs.
const stopTimeoutMs = 30_000;

interface Slot {
  index: number;
  worker?: Worker;
  startedAt: number;
  listening: boolean;
  failedStarts: number;
  restarts: number;
}

type Message = { tessera?: string };

/**
 * Starts `count` workers: worker 0 alone first, so that the migrations, the first keys and the demo's setup happen
 * once, then the others together. Resolves with 0 once all listen, or with the exit status of a worker that could
 * not start (its message already printed). Afterwards the primary lives until a signal, then exits itself.
 */
export async function runPrimary(count: number, logger: Logger): Promise<number> {
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index,
    startedAt: 0,
    listening: false,
    failedStarts: 0,
    restarts: 0,
  }));
  let stopping = false;
  let started = false;

  const fork = (slot: Slot, restarted: boolean): Promise<number> => {
    const env: Record<string, string> = { TESSERA_WORKER: String(slot.index) };
    if (restarted) env.TESSERA_WORKER_RESTARTED = '1';
    const worker = cluster.fork(env);
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.listening = false;
    return new Promise((resolve) => {
      worker.on('message', (message: Message) => {
        if (message?.tessera !== 'listening') return;
        slot.listening = true;
        slot.failedStarts = 0;
        resolve(0);
      });
      worker.once('exit', (code, signal) => {
        slot.worker = undefined;
        const status = code ?? 1;
        if (!slot.listening) resolve(status || 1);
        if (stopping) return;
        if (started) onDeath(slot, code, signal);
      });
    });
  };

  const onDeath = (slot: Slot, code: number | null, signal: string | null) => {
    const ranMs = Date.now() - slot.startedAt;
    if (!slot.listening) slot.failedStarts++;
    else if (ranMs > healthyAfterMs) slot.restarts = 0;
    if (slot.failedStarts >= maxFailedStarts) {
      logger.error(
        { worker: slot.index, code, signal, failedStarts: slot.failedStarts },
        `worker ${slot.index} died during its start ${slot.failedStarts} times in a row: not restarting it, the ` +
          'node stops (the worker’s own message above says why)',
      );
      void stopAll('worker cannot start', 1);
      return;
    }
    const delayMs = Math.min(firstDelayMs * 2 ** slot.restarts, maxDelayMs);
    slot.restarts++;
    logger.warn({ worker: slot.index, code, signal, ranMs, restartInMs: delayMs }, 'worker died');
    setTimeout(() => {
      if (stopping) return;
      void fork(slot, true).then((status) => {
        if (status === 0) logger.info({ worker: slot.index }, 'worker restarted');
      });
    }, delayMs).unref();
  };

  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping the workers');
    const alive = slots.flatMap((s) => (s.worker ? [s.worker] : []));
    const exited = alive.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    );
    for (const w of alive) w.process.kill(reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
    const cut = setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
    }, stopTimeoutMs);
    await Promise.all(exited);
    clearTimeout(cut);
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void stopAll('SIGTERM', 0));
  process.once('SIGINT', () => void stopAll('SIGINT', 0));

  const failed = (status: number) => {
    stopping = true;
    for (const s of slots) s.worker?.process.kill('SIGTERM');
    return status;
  };
  const first = await fork(slots[0], false);
  if (first !== 0) return failed(first);
  const rest = await Promise.all(slots.slice(1).map((s) => fork(s, false)));
  const refused = rest.find((status) => status !== 0);
  if (refused !== undefined) return failed(refused);
  started = true;
  logger.info({ workers: count }, 'every worker is listening');
  return 0;
}
