// Runs one task again and again, `pollMs` after the previous run ended; never two runs at once in one process.
// `wake()` asks for a run now (a mail was just enqueued) without starting a second timer chain, and `stop()`
// waits for the run in progress, so nothing is left behind that would keep the process alive.
import type { Logger } from 'pino';

export interface Poller {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createPoller(task: () => Promise<unknown>, pollMs: number, logger: Logger): Poller {
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let wakeAgain = false;

  const schedule = (delayMs: number) => {
    if (!running || timer !== undefined || current !== undefined) return;
    timer = setTimeout(run, delayMs);
  };

  function run() {
    timer = undefined;
    wakeAgain = false;
    // A failing run (database restarting) is logged and retried at the next poll; the loop never dies.
    current = task()
      .then(
        () => undefined,
        (err: unknown) => {
          logger.error(
            {
              err:
                err instanceof Error ? { message: err.message, code: (err as { code?: unknown }).code } : String(err),
            },
            'outbox poll failed',
          );
        },
      )
      .finally(() => {
        current = undefined;
        schedule(wakeAgain ? 0 : pollMs);
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    wake() {
      if (!running) return;
      if (current !== undefined) {
        wakeAgain = true;
        return;
      }
      clearTimeout(timer);
      timer = undefined;
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await current;
    },
  };
}
