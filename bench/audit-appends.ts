// Audit appends per second on PostgreSQL with one writer process and with two at once (issue 25): each process
// records events back to back (32 at a time, as a busy server would) into its own chain. With one chain for all, the
// two raced for the same next place (and retried); with a chain each, they should add up.
// `AUDIT_ROOT=/work/main node bench/audit-appends.ts` measures another checkout's code (e.g. main's, one chain).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresBaseUrl } from '../test/support/databases.ts';
import type { Outcome } from './load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const root = process.env.AUDIT_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const concurrency = 32;

// One writer process: counts its appends and the appends that found their place taken (retries).
async function writer(url: string, chain: string, ms: number) {
  const { openStore } = await import(`${root}/src/store/index.ts`);
  const { createAudit, createSqlAuditStore } = await import(`${root}/src/audit/index.ts`);
  const { systemClock } = await import(`${root}/src/clock/index.ts`);
  const store = openStore(url);
  const sqlStore = createSqlAuditStore(store.db);
  let taken = 0;
  const counted = {
    ...sqlStore,
    append: async (events: unknown[]) => {
      const result = await sqlStore.append(events);
      if (result === 'taken') taken++;
      return result;
    },
  };
  const audit = createAudit(counted, systemClock, undefined, { chain });
  let events = 0;
  let errors = 0;
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < deadline) {
        try {
          await audit.record({ actor: 'bench', action: 'bench.append', subject: `s${w}`, outcome: 'success' });
          events++;
        } catch {
          errors++;
        }
      }
    }),
  );
  audit.close?.();
  await store.close();
  console.log(JSON.stringify({ events, errors, taken }));
}

function runWriter(url: string, chain: string, ms: number): Promise<{ events: number; errors: number; taken: number }> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [self, 'writer', url, chain, String(ms)], { env: process.env }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')),
    ),
  );
}

export async function benchAuditAppends(): Promise<Outcome> {
  const schema = `bench_appends_${randomBytes(4).toString('hex')}`;
  const url = `${postgresBaseUrl}${postgresBaseUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const { openStore } = await import(`${root}/src/store/index.ts`);
  const store = openStore(url);
  await store.migrate();
  await store.close();
  try {
    const ms = seconds * 1000;
    await runWriter(url, 'warmup', 1000);
    const one = await runWriter(url, 'bench/w0/one', ms);
    const two = await Promise.all([runWriter(url, 'bench/w0/a', ms), runWriter(url, 'bench/w1/b', ms)]);
    const perSecond = (r: { events: number }[]) => r.reduce((n, x) => n + x.events, 0) / seconds;
    const ratio = perSecond(two) / perSecond([one]);
    const retries = two.reduce((n, x) => n + x.taken, 0);
    const errors = one.errors + two.reduce((n, x) => n + x.errors, 0);
    const met = ratio >= 1.5 && errors === 0;
    const line = `audit-appends (postgres${process.env.AUDIT_ROOT ? `, code of ${root}` : ''}): 1 writer ${perSecond([one]).toFixed(0)}/s, 2 writer processes ${perSecond(two).toFixed(0)}/s together → ${ratio.toFixed(2)} × (goal ≥ 1.5), ${retries} retries, ${errors} errors ${met ? 'met' : 'NOT met'}`;
    console.log(line);
    return { line, met };
  } finally {
    const client = new pg.Client({ connectionString: postgresBaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

if (process.argv[2] === 'writer') await writer(process.argv[3], process.argv[4], Number(process.argv[5]));
else if (process.argv[1] === fileURLToPath(import.meta.url)) await benchAuditAppends();
