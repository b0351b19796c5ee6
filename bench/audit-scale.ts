// The helpdesk's audit reads on a loaded database against an empty one (issue 25): `tessera audit --user NAME` (the
// admin service's list, the same path as the CLI) and the audit page's first page, with 5 million audit rows over
// 200 chains about 1 million accounts, against the same reads with only the person's own rows. Goal: within 1.2 ×.
// The rows are made by the database itself (INSERT … SELECT over a series, in batches), so loading takes a minute
// or two, not an hour. SQLite (BENCH_AUDIT_SQLITE=1) loads the same way, in a few minutes more.
import { startTessera, type RunningTessera } from '../test/support/tessera.ts';
import { sql } from 'kysely';
import type { Outcome } from './load.ts';

const rows = Number(process.env.BENCH_AUDIT_ROWS ?? 5_000_000);
const accounts = Number(process.env.BENCH_AUDIT_ACCOUNTS ?? 1_000_000);
const chains = 200;
const firstPage = 50;
const batch = 250_000;
const calls = Number(process.env.BENCH_AUDIT_CALLS ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const operator = { kind: 'local', actor: 'operator' } as const;
// A person in the middle of the generated ones: about rows / accounts events of their own.
const target = Math.floor(accounts / 2) + 7;

// Numbers are written into the SQL (node:sqlite binds a JS number as a REAL, which would make g a REAL too).
// Row g: chain g % chains, place g / chains + 1 in it; about account g % accounts; a VPN login (with the name as
// typed) two times in three, a sign-in otherwise; 10 ms apart, the newest now.
function rowsSql(dialect: 'sqlite' | 'postgres', from: number, to: number, base: number) {
  const series =
    dialect === 'postgres'
      ? sql`select g from generate_series(${sql.lit(from)}::bigint, ${sql.lit(to - 1)}::bigint) g`
      : sql`select value as g from (with recursive s(value) as (select ${sql.lit(from)} union all select value + 1 from s where value < ${sql.lit(to - 1)}) select value from s)`;
  const cat = (...parts: Array<ReturnType<typeof sql>>) =>
    dialect === 'postgres' ? sql.join(parts, sql` || `) : sql.join(parts, sql` || `);
  const num = (expr: ReturnType<typeof sql>) =>
    dialect === 'postgres' ? sql`(${expr})::text` : sql`cast(${expr} as text)`;
  const person = sql`g % ${sql.lit(accounts)}`;
  return sql`insert into audit_events
      (chain, seq, at, actor, action, subject, source, outcome, details, user_typed, prev_hash, hash)
    select ${cat(sql`'bench/w'`, num(sql`g % ${sql.lit(chains)}`))}, g / ${sql.lit(chains)} + 1, ${sql.lit(base)} + g * 10,
      ${cat(sql`'user-'`, num(person))},
      case g % 3 when 0 then 'radius.accept' when 1 then 'account.sign_in' else 'radius.reject' end,
      ${cat(sql`'acct-'`, num(person))}, '192.0.2.1',
      case g % 3 when 2 then 'failure' else 'success' end,
      case g % 3 when 1 then '{}' else ${cat(sql`'{"client":"vpn","user":"user-'`, num(person), sql`'"}'`)} end,
      case g % 3 when 1 then null else ${cat(sql`'user-'`, num(person))} end,
      '0000000000000000000000000000000000000000000000000000000000000000',
      '1111111111111111111111111111111111111111111111111111111111111111'
    from (${series}) t`;
}

function accountsSql(dialect: 'sqlite' | 'postgres', from: number, to: number) {
  const series =
    dialect === 'postgres'
      ? sql`select g from generate_series(${sql.lit(from)}::bigint, ${sql.lit(to - 1)}::bigint) g`
      : sql`select value as g from (with recursive s(value) as (select ${sql.lit(from)} union all select value + 1 from s where value < ${sql.lit(to - 1)}) select value from s)`;
  const text = dialect === 'postgres' ? sql`g::text` : sql`cast(g as text)`;
  return sql`insert into accounts (id, kind, email, email_verified, directory_id, username, password_hash, name,
      status, created_at, updated_at)
    select 'acct-' || ${text}, 'workforce', null, 0, 'dir-' || ${text}, 'user-' || ${text}, null, null, 'active', 0, 0
    from (${series}) t`;
}

async function load(t: RunningTessera, dialect: 'sqlite' | 'postgres', only?: number) {
  const base = Date.now() - rows * 10;
  if (only !== undefined) {
    // The empty database: the person's rows and the newest page's worth (so both first pages show the same rows and
    // name the same people), with their accounts; nothing else.
    await accountsSql(dialect, only, only + 1).execute(t.store.db);
    for (let g = only; g < rows; g += accounts) await rowsSql(dialect, g, g + 1, base).execute(t.store.db);
    const newest = rows - firstPage;
    for (let g = newest; g < rows; g++)
      if (g % accounts !== only) await accountsSql(dialect, g % accounts, (g % accounts) + 1).execute(t.store.db);
    await rowsSql(dialect, newest, rows, base).execute(t.store.db);
    await sql`analyze`.execute(t.store.db);
    return;
  }
  for (let from = 0; from < accounts; from += batch)
    await accountsSql(dialect, from, Math.min(accounts, from + batch)).execute(t.store.db);
  for (let from = 0; from < rows; from += batch) {
    await rowsSql(dialect, from, Math.min(rows, from + batch), base).execute(t.store.db);
  }
  await sql`analyze`.execute(t.store.db);
}

// Milliseconds per call on each database, `calls` calls one after the other (a helpdesk person waits on each),
// alternating call by call so that a busy moment of the machine costs both sides alike.
async function timedSideBySide(empty: () => Promise<unknown>, loaded: () => Promise<unknown>) {
  let e = 0;
  let l = 0;
  for (let i = 0; i < calls; i++) {
    let started = performance.now();
    await empty();
    e += performance.now() - started;
    started = performance.now();
    await loaded();
    l += performance.now() - started;
  }
  return { e: e / calls, l: l / calls };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function benchAuditScale(): Promise<Outcome> {
  const dialect = process.env.BENCH_AUDIT_SQLITE ? 'sqlite' : 'postgres';
  const empty = await startTessera(dialect);
  const loaded = await startTessera(dialect);
  try {
    let started = performance.now();
    await load(empty, dialect, target);
    await load(loaded, dialect);
    const loadSeconds = (performance.now() - started) / 1000;
    console.log(
      `audit-scale: loaded ${rows.toLocaleString('en')} audit rows over ${chains} chains and ${accounts.toLocaleString('en')} accounts on ${dialect} in ${loadSeconds.toFixed(0)} s (${Math.round(rows / loadSeconds).toLocaleString('en')} rows/s)`,
    );
    const reads = {
      'audit --user': (t: RunningTessera) => () =>
        t.admin(operator).audit.list({ user: `user-${target}`, limit: firstPage }),
      'first page': (t: RunningTessera) => () => t.admin(operator).audit.list({ limit: firstPage }),
    };
    const ratios: Record<string, { empty: number; loaded: number; ratio: number }> = {};
    for (const [name, read] of Object.entries(reads)) {
      const seen = await read(loaded)();
      if (name === 'audit --user' && seen.events.length !== Math.ceil((rows - target) / accounts))
        throw new Error(`audit-scale: --user found ${seen.events.length} events`);
      await timedSideBySide(read(empty), read(loaded));
      const per: Array<{ e: number; l: number }> = [];
      for (let r = 0; r < rounds; r++) per.push(await timedSideBySide(read(empty), read(loaded)));
      ratios[name] = {
        empty: median(per.map((p) => p.e)),
        loaded: median(per.map((p) => p.l)),
        ratio: median(per.map((p) => p.l / p.e)),
      };
    }
    started = performance.now();
    const verdict = await loaded.audit.verify();
    const verifySeconds = (performance.now() - started) / 1000;
    const shown = Object.entries(ratios).map(
      ([name, r]) =>
        `${name} ${r.empty.toFixed(2)} ms empty vs ${r.loaded.toFixed(2)} ms loaded → ${r.ratio.toFixed(2)} ×`,
    );
    const met = Object.values(ratios).every((r) => r.ratio <= 1.2);
    const line = `audit-scale (${dialect}, ${(rows / 1e6).toFixed(1)}M rows): ${shown.join('; ')} (goal ≤ 1.2) ${met ? 'met' : 'NOT met'}; verify read ${verdict.events.toLocaleString('en')} rows in ${verifySeconds.toFixed(1)} s`;
    console.log(line);
    return { line, met };
  } finally {
    await empty.stop();
    await loaded.stop();
  }
}
