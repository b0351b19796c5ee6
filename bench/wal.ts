// SQLite's write-ahead log under steady sign-ins (issue 25): password sign-ins through the sign-in page on the
// embedded database, as fast as they go, while the bench watches the log file (its size, and its header's salt,
// which changes each time the log starts over) and, where strace is installed, counts the fsyncs made by the thread
// that answers requests. Before the checkpointer restarted the log itself the log sat at the writer's 10,000-page
// backstop (41 MB) and that thread did 3 fsyncs (12-30 ms) each time it got there; the goal is that it never does.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { startTessera } from '../test/support/tessera.ts';
import { benchLimits, measure, type Outcome } from './load.ts';
import { benchCustomerSignIns } from './sign-in-pages.ts';

const seconds = Number(process.env.BENCH_WAL_SECONDS ?? 10);
const concurrency = 8;
const backstopBytes = 10_000 * 4096;

/** Counts fsync and fdatasync calls of this process's main thread (the one Tessera answers on) until stopped. */
function countMainThreadFsyncs(): { stop(): Promise<number | undefined> } {
  if (spawnSync('strace', ['-V']).status !== 0) return { stop: async () => undefined };
  // The main thread alone (its thread id is the process id): strace stops only it at each system call.
  const strace = spawn('strace', ['-e', 'trace=fsync,fdatasync', '-p', String(process.pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  strace.stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => strace.once('exit', resolve));
      strace.kill('SIGINT');
      await exited;
      return text.split('\n').filter((l) => /^(fsync|fdatasync)\(/.test(l)).length;
    },
  };
}

export async function benchSqliteWal(): Promise<Outcome> {
  const tessera = await startTessera('sqlite', benchLimits);
  try {
    const pages = await benchCustomerSignIns(tessera);
    const logPath = `${tessera.config.databaseUrl.slice('sqlite:'.length)}-wal`;
    await pages.measure('warm-up', { concurrency, durationMs: 1000, firstGuess: 200 });
    let largest = 0;
    let restarts = 0;
    let salt = -1;
    const watch = setInterval(() => {
      try {
        largest = Math.max(largest, statSync(logPath).size);
        const header = Buffer.alloc(4);
        const fd = openSync(logPath, 'r');
        readSync(fd, header, 0, 4, 16);
        closeSync(fd);
        const now = header.readUInt32BE(0);
        if (salt !== -1 && now !== salt) restarts++;
        salt = now;
      } catch {
        /* no log yet */
      }
    }, 20);
    // First at full speed with the log watched, then again with strace on the request thread alone (it slows that
    // thread down: its rate is printed too).
    await pages.open(Math.ceil(seconds * 300));
    const free = await measure('sign-ins', () => pages.signIn(), { concurrency, durationMs: seconds * 1000 });
    clearInterval(watch);
    await pages.open(Math.ceil(seconds * 300));
    const fsyncs = countMainThreadFsyncs();
    const traced = await measure('sign-ins', () => pages.signIn(), { concurrency, durationMs: seconds * 1000 });
    const mainFsyncs = await fsyncs.stop();
    const errors = free.errors + traced.errors;
    const met = largest < backstopBytes && restarts > 0 && (mainFsyncs ?? 0) === 0 && errors === 0;
    const line = `SQLite write-ahead log under ${free.perSecond.toFixed(0)} sign-ins/s for ${seconds} s: largest log file ${(largest / 1024 / 1024).toFixed(1)} MB (backstop ${(backstopBytes / 1024 / 1024).toFixed(0)} MB), started over ≥ ${restarts} times; fsyncs on the request thread ${mainFsyncs ?? 'n/a (no strace)'} in ${seconds} s more under strace (${traced.perSecond.toFixed(0)}/s) (goal: below the backstop, started over, 0 fsyncs) ${met ? 'met' : 'NOT met'}${errors ? ` [errors ${errors}]` : ''}`;
    console.log(line);
    return { line, met };
  } finally {
    await tessera.stop();
  }
}
