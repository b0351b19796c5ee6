// Preloaded into the Tessera processes of the RADIUS cores bench (NODE_OPTIONS=--import): the stepping clock of
// radius-load.ts across processes. Date.now() is real time plus the whole TOTP steps the load generator has moved
// on, read from BENCH_STEPS_FILE every few milliseconds; a code of the next step sent before a worker has read the
// file is still inside Tessera's ±1 step window. Timers run on the monotonic clock and are not moved.
import { readFileSync } from 'node:fs';

const file = process.env.BENCH_STEPS_FILE;
if (file) {
  const stepMs = 30_000;
  const realNow = Date.now;
  let offsetMs = 0;
  const read = () => {
    const steps = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(steps)) offsetMs = steps * stepMs;
  };
  read();
  setInterval(read, 5).unref();
  Date.now = () => realNow() + offsetMs;
}
