// The rows every login writes, with one process and with two at once on one PostgreSQL (issue 25): does any of
// them make the processes wait for each other? Each operation is a VPN login's database work: the attempt counted
// under its three rate-limit keys and given back (a success), the code's replay-safe update of the token row, and
// the audit row. `shared` counts every login under one client key (one NAT address for a whole office, or the
// load generator's own address) instead of one per person. The parent samples pg_stat_activity every 10 ms and
// counts the connections waiting on a lock.
// Run: `node bench/hot-rows.ts` (or `npm run bench -- hot-rows`).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { postgresBaseUrl } from '../test/support/databases.ts';
import { openStore } from '../src/store/index.ts';
import { systemClock } from '../src/clock/index.ts';
import { createAudit, createSqlAuditStore, type AuditStore } from '../src/audit/index.ts';
import { attemptLimits, createRateLimiter, createSqlCounterStore } from '../src/ratelimit/index.ts';
import { createSqlOtpStore } from '../src/otp/index.ts';
import type { Outcome } from './load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = 16;
const usersPerProcess = 1000;
const limit = { limit: 1_000_000, windowSeconds: 60 };
const rules = { perAccountSource: limit, perSource: limit, perAccount: limit, perDevice: limit };

async function worker(url: string, index: number, ms: number, shared: boolean) {
  const store = openStore(url);
  const limiter = createRateLimiter(createSqlCounterStore(store.counters, systemClock));
  const otp = createSqlOtpStore(store.db);
  const sqlAudit = createSqlAuditStore(store.db);
  let retries = 0;
  const counted: AuditStore = {
    ...sqlAudit,
    append: async (events) => {
      const result = await sqlAudit.append(events);
      if (result === 'taken') retries++;
      return result;
    },
  };
  const audit = createAudit(counted, systemClock, undefined, {
    chain: `hot/w${index}/${randomBytes(2).toString('hex')}`,
  });
  let done = 0;
  let errors = 0;
  let step = Date.now();
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; performance.now() < deadline; i += concurrency) {
        const user = index * usersPerProcess + (i % usersPerProcess);
        const source = shared ? { ip: '203.0.113.1' } : { station: `10.0.${user >> 8}.${user & 255}` };
        try {
          await limiter.limitFailures(attemptLimits({ action: 'vpn', account: `u${user}`, source }, rules), () =>
            otp.acceptStep(`tok-${user}`, { step: ++step, drift: 0 } as never),
          );
          await audit.record({ actor: `u${user}`, action: 'radius.accept', subject: `u${user}`, outcome: 'success' });
          done++;
        } catch (err) {
          if (errors++ === 0) console.error((err as Error).message);
        }
      }
    }),
  );
  audit.close();
  await store.close();
  console.log(JSON.stringify({ done, errors, retries }));
}

type Result = { done: number; errors: number; retries: number };
function spawnWorker(url: string, index: number, ms: number, shared: boolean): Promise<Result> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), 'worker', url, String(index), String(ms), shared ? 'shared' : 'own'],
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'))),
    ),
  );
}

// While `work` runs: how many samples saw a connection working in this schema, and how many of those waiting on a
// lock (row, tuple or transaction: one statement waiting for another's row).
async function sampled(schema: string, work: Promise<Result[]>) {
  const client = new pg.Client({ connectionString: postgresBaseUrl });
  await client.connect();
  let active = 0;
  let waiting = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      const { rows } = await client.query(
        `select count(*) filter (where a.state = 'active')::int as active,
           count(*) filter (where a.wait_event_type = 'Lock')::int as waiting
         from pg_stat_activity a where a.pid <> pg_backend_pid() and exists (select 1 from pg_locks l
           join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
           where l.pid = a.pid and n.nspname = $1)`,
        [schema],
      );
      active += rows[0].active;
      waiting += rows[0].waiting;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const results = await work;
  running = false;
  await sampler;
  await client.end();
  return { results, active, waiting };
}

export async function benchHotRows(): Promise<Outcome> {
  const schema = `bench_hot_${randomBytes(4).toString('hex')}`;
  const url = `${postgresBaseUrl}${postgresBaseUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const store = openStore(url);
  await store.migrate();
  const lines: string[] = [];
  try {
    // A TOTP token per person, active, so that each login's code is accepted once by the replay-safe update.
    await sql`insert into otp_tokens (id, account_id, type, serial, state, algorithm, digits, period_seconds,
        secret_sealed, drift, last_step, failures, locked_until, pending_expires_at, created_at, activated_at, revoked_at)
      select 'tok-' || g, null, 'mobile', 'S' || g, 'active', 'SHA1', 6, 30, 'x', 0, null, 0, 0, null, 0, 0, null
      from generate_series(0, ${2 * usersPerProcess - 1}) g`.execute(store.db);
    await store.close();
    const ms = seconds * 1000;
    await spawnWorker(url, 0, 1000, false);
    for (const shared of [false, true]) {
      const one = await sampled(schema, Promise.all([spawnWorker(url, 0, ms, shared)]));
      const two = await sampled(
        schema,
        Promise.all([spawnWorker(url, 0, ms, shared), spawnWorker(url, 1, ms, shared)]),
      );
      const rate = (r: Result[]) => r.reduce((n, x) => n + x.done, 0) / seconds;
      const sum = (r: Result[], k: 'errors' | 'retries') => r.reduce((n, x) => n + x[k], 0);
      const share = (s: { active: number; waiting: number }) =>
        `${((100 * s.waiting) / Math.max(1, s.active)).toFixed(0)} %`;
      lines.push(
        `hot-rows (postgres, ${shared ? 'one client key for all' : 'a client key per person'}): 1 process ${rate(one.results).toFixed(0)} logins/s (lock waits ${share(one)} of active samples), 2 processes ${rate(two.results).toFixed(0)}/s → ${(rate(two.results) / rate(one.results)).toFixed(2)} × (lock waits ${share(two)}); audit retries ${sum(two.results, 'retries')}, errors ${sum(one.results, 'errors') + sum(two.results, 'errors')}`,
      );
      console.log(lines.at(-1));
    }
  } finally {
    const client = new pg.Client({ connectionString: postgresBaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  // A measurement, not a goal: the figures say whether a row makes processes wait.
  return { line: lines.join('\n'), met: true };
}

if (process.argv[2] === 'worker')
  await worker(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), process.argv[6] === 'shared');
else if (process.argv[1] === fileURLToPath(import.meta.url)) await benchHotRows();
