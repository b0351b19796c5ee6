// One million customer accounts (issues 23 and 25): the same work on an empty database and on a loaded one, two
// Tessera servers side by side in one run and their rounds alternated, so that the ratio is the database's size and
// not the machine's mood. Measured: password sign-ins through the sign-in page, VPN logins over RADIUS (directory
// password + TOTP code, as radius.ts), and the helpdesk's search for a person (the admin service's people.find) by
// e-mail, sign-in name, token serial and employee ID. Goal: the loaded side within 1.2× of the empty one.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { sql } from 'kysely';
import { argon2Options } from '../src/identity/index.ts';
import { startTessera, type RunningTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { benchLimits, compareSides, measure, type LoadResult, type Outcome } from './load.ts';
import { benchCustomerSignIns, type SignInPages } from './sign-in-pages.ts';
import { directoryUsersLdif, enrol, startRadiusLoad } from './radius.ts';
import { steppingClock, type BenchUser } from './radius-load.ts';
import type { WorkerLoad } from './worker-load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const accountCount = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 1_000_000);
// SQLite loads the million too (about a minute here); BENCH_SCALE_DIALECTS=postgres leaves it out.
const dialects = (process.env.BENCH_SCALE_DIALECTS ?? 'postgres,sqlite').split(',') as Array<'sqlite' | 'postgres'>;
const radiusUsers = 100;
const concurrency = 8;
const secret = 'bench-radius-shared-secret-32-chars!';
const goal = 1 / 1.2;
const chunk = 100_000;
const smallCount = 100;

const firstNames = ['Maria', 'Ion', 'Elena', 'Andrei', 'Ana', 'Mihai', 'Ioana', 'Alexandru', 'Cristina', 'Gabriel'];
const lastNames = ['Popescu', 'Ionescu', 'Popa', 'Dumitru', 'Stan', 'Stoica', 'Gheorghe', 'Matei', 'Ciobanu', 'Rusu'];

/**
 * A million customers in batched INSERT … SELECT over a generated series (no round trip per row): distinct e-mail
 * addresses and names, every tenth a workforce account with a sign-in name, every tenth of those a hardware token,
 * all sharing one precomputed argon2id hash (a password hash is opaque to every query).
 */
export async function load(tessera: RunningTessera, count: number, hash: string): Promise<number> {
  const db = tessera.store.db;
  const started = performance.now();
  const now = Date.now();
  const first = sql.raw(`case (g % 10) ${firstNames.map((n, i) => `when ${i} then '${n}'`).join(' ')} end`);
  const last = sql.raw(`case ((g / 10) % 10) ${lastNames.map((n, i) => `when ${i} then '${n}'`).join(' ')} end`);
  const series = (from: number, to: number) =>
    tessera.store.dialect === 'postgres'
      ? sql`select g from generate_series(${sql.lit(from)}::bigint, ${sql.lit(to)}::bigint) as s(g)`
      : sql`with recursive s(g) as (select ${sql.lit(from)} union all select g + 1 from s where g < ${sql.lit(to)})
          select g from s`;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await db.transaction().execute(async (trx) => {
      await sql`insert into accounts (id, kind, email, email_verified, directory_id, username, groups, password_hash,
          name, status, created_at, updated_at)
        select 'scale-' || g, case when g % 10 = 0 then 'workforce' else 'customer' end,
          'person' || g || '@example.net', 1,
          case when g % 10 = 0 then 'scale-dn-' || g end, case when g % 10 = 0 then 'user' || g end,
          '[]', ${hash}, ${first} || ' ' || ${last} || ' ' || g, 'active', ${now}, ${now}
        from (${series(from, to)}) as series`.execute(trx);
      await sql`insert into otp_tokens (id, account_id, type, serial, state, algorithm, digits, period_seconds,
          secret_sealed, created_at, activated_at)
        select 'scale-token-' || g, 'scale-' || g, 'hardware', 'HW' || g, 'active', 'SHA1', 6, 30, 'not-a-secret',
          ${now}, ${now}
        from (${series(from, to)}) as series where g % 100 = 0`.execute(trx);
    });
  }
  await sql`analyze`.execute(db);
  return (performance.now() - started) / 1000;
}

interface Server {
  tessera: RunningTessera;
  pages: SignInPages;
  radius: WorkerLoad;
}

async function setUp(
  dialect: 'sqlite' | 'postgres',
  slapd: Awaited<ReturnType<typeof startSlapd>>,
  directoryUsers: Array<{ name: string; password: string }>,
): Promise<Server> {
  const clock = steppingClock();
  const tessera = await startTessera(
    dialect,
    {
      ...benchLimits,
      directory: fixtureConfig('openldap', [slapd.url]),
      radius: { port: 0, clients: [{ name: 'bench', address: '127.0.0.1', secret, passwordAndCode: true }] },
    },
    { clock },
  );
  const pages = await benchCustomerSignIns(tessera);
  await tessera.policies.save(
    { appId: 'radius:bench', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
    0,
  );
  const users: BenchUser[] = [];
  for (let i = 0; i < directoryUsers.length; i += concurrency)
    users.push(...(await Promise.all(directoryUsers.slice(i, i + concurrency).map((u) => enrol(tessera, clock, u)))));
  const radius = await startRadiusLoad({
    port: tessera.radiusAddress()!.port,
    secret,
    users,
    concurrency,
    durationMs,
    steps: clock.shared,
  });
  return { tessera, pages, radius };
}

/** The helpdesk's searches, in turn: e-mail, sign-in name, token serial, employee ID (the directory's). */
function searches(tessera: RunningTessera, count: number) {
  const helpdesk = tessera.admin({ kind: 'local', actor: 'bench' });
  // People near the end of the table as much as near its start: every hundredth has a sign-in name and a token.
  const pick = (i: number) => Math.max(100, Math.floor(((i * 7919) % count) / 100) * 100);
  return async (i: number) => {
    const n = pick(i);
    await helpdesk.people.find([`person${n}@example.net`, `user${n}`, `HW${n}`, 'E1001'][i % 4]);
  };
}

function line(what: string, loaded: LoadResult, empty: LoadResult, ratio: number) {
  const met = ratio >= goal && loaded.errors + empty.errors === 0;
  const text = `  ${what}: loaded ${loaded.perSecond.toFixed(1)}/s vs empty ${empty.perSecond.toFixed(1)}/s → median ratio ${ratio.toFixed(2)} (goal ≥ ${goal.toFixed(2)}, i.e. within 1.2×) ${met ? 'met' : 'NOT met'}${loaded.errors + empty.errors ? ` [errors ${loaded.errors}/${empty.errors}]` : ''}`;
  console.log(text);
  return met;
}

export async function benchAccountsScale(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const directoryUsers = Array.from({ length: 2 * radiusUsers }, (_, i) => ({
    name: `scale${String(i).padStart(4, '0')}`,
    password: `bench password ${i} ${randomBytes(4).toString('hex')}`,
  }));
  await slapd.modify(directoryUsersLdif(directoryUsers));
  const hash = await argon2.hash('a shared password nobody signs in with', argon2Options);
  const verdicts: boolean[] = [];
  const summary: string[] = [];
  try {
    for (const dialect of dialects) {
      const empty = await setUp(dialect, slapd, directoryUsers.slice(0, radiusUsers));
      const loaded = await setUp(dialect, slapd, directoryUsers.slice(radiusUsers));
      try {
        // The empty side holds a hundred of the same accounts, so that both answer the same kinds of searches.
        await load(empty.tessera, smallCount, hash);
        const seconds = await load(loaded.tessera, accountCount, hash);
        console.log(
          `accounts at scale on ${dialect}: ${accountCount.toLocaleString('en')} accounts and ${Math.floor(accountCount / 100).toLocaleString('en')} hardware tokens loaded in ${seconds.toFixed(0)} s (${Math.round(accountCount / seconds).toLocaleString('en')}/s)`,
        );
        await loaded.radius.round('warm-up');
        await empty.radius.round('warm-up');
        const signIns = (s: Server) => () => s.pages.measure(`sign-ins`, { concurrency, durationMs, firstGuess: 200 });
        const search = (s: Server, count: number) => {
          const find = searches(s.tessera, count);
          return () => measure('searches', find, { concurrency: 4, durationMs });
        };
        const sides = {
          'password sign-ins': [signIns(loaded), signIns(empty)],
          'RADIUS password+OTP logins': [() => loaded.radius.round('radius'), () => empty.radius.round('radius')],
          'helpdesk searches (e-mail, name, serial, employee ID)': [
            search(loaded, accountCount),
            search(empty, smallCount),
          ],
        };
        for (const [what, [a, b]] of Object.entries(sides)) {
          const result = await compareSides([a, b], rounds);
          const met = line(`${dialect} ${what}`, result.results[0], result.results[1], result.ratio(0, 1));
          verdicts.push(met);
          summary.push(`${dialect} ${what.split(' (')[0]} ${result.ratio(0, 1).toFixed(2)}`);
        }
      } finally {
        await empty.radius.close();
        await loaded.radius.close();
        await empty.tessera.stop();
        await loaded.tessera.stop();
      }
    }
  } finally {
    await slapd.close();
  }
  const met = verdicts.length > 0 && verdicts.every(Boolean);
  const text = `accounts at scale (${accountCount.toLocaleString('en')} vs ${smallCount}, loaded/empty rate): ${summary.join(', ')} (goal ≥ ${goal.toFixed(2)} each) ${met ? 'met' : 'NOT met'}`;
  console.log(text);
  return { line: text, met };
}
