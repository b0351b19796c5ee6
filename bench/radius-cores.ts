// RADIUS password+OTP logins with every core: Tessera as an operator runs it (`tessera serve --workers auto`, on
// PostgreSQL) against FreeRADIUS 3 with its thread pool, for the same directory users and TOTP secrets, driven by the
// same NAS-side load generator (radius-load.ts, in a worker thread). Tessera with one worker on the same database is
// measured beside them, to show what the other workers add. Tessera's processes get the load generator's stepping
// clock through stepped-time.ts, since each step's code is accepted once per person.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startSlapd, fixtureConfig, serviceDn, servicePassword } from '../test/support/slapd.ts';
import { createTestDatabase } from '../test/support/databases.ts';
import {
  createCluster,
  dropCluster,
  freeUdpPort,
  openCluster,
  startNode,
  type NodeProcess,
} from '../test/support/nodes.ts';
import { startFreeRadius, type FreeRadius } from './freeradius.ts';
import { assertRefusesWrongCredentials, directoryUsersLdif, enrol, secret, startRadiusLoad } from './radius.ts';
import { steppingClock, type BenchUser } from './radius-load.ts';
import type { WorkerLoad } from './worker-load.ts';
import { benchLimits, compareSides, metered, report, type Outcome } from './load.ts';
import { commandCpuSeconds, treeCpuSeconds } from './processes.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
// Enough logins in flight for every worker and every FreeRADIUS thread to have work.
const concurrency = 16;
// Split in two: the Tessera node with every core and the one with one worker share a database, so each has its own
// users (a code one accepted, the other would refuse as used).
const userCount = Number(process.env.BENCH_RADIUS_USERS ?? 1000);
// `redis` keeps the nodes' attempt counters in Redis (limits.counters), two writes of each login off PostgreSQL.
const counters = process.env.BENCH_LIMIT_COUNTERS === 'redis' ? 'redis' : 'database';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function benchRadiusCores(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const database = await createTestDatabase('postgres');
  const directory = fixtureConfig('openldap', [slapd.url]);
  const cluster = createCluster(database.url, 'http://127.0.0.1:9', {
    ...benchLimits,
    directory,
    ...(counters === 'redis' ? { limits: { ...benchLimits.limits, counters }, cluster: { redisUrl } } : {}),
  });
  const stepsFile = join(cluster.dir, 'steps');
  writeFileSync(stepsFile, '0');
  const clock = steppingClock();
  const nodes: NodeProcess[] = [];
  const loads: WorkerLoad[] = [];
  let freeradius: FreeRadius | undefined;
  try {
    const setup = await openCluster(cluster, clock);
    await setup.policies.save(
      { appId: 'radius:bench', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
      0,
    );
    const names = Array.from({ length: userCount + 1 }, (_, i) => ({
      name: `bench${String(i).padStart(4, '0')}`,
      password: `bench password ${i} ${randomBytes(4).toString('hex')}`,
    }));
    await slapd.modify(directoryUsersLdif(names));
    const users: BenchUser[] = [];
    for (let i = 0; i < names.length; i += 8) {
      users.push(...(await Promise.all(names.slice(i, i + 8).map((u) => enrol(setup, clock, u)))));
    }
    await setup.close();
    const checker = users.pop()!;
    const half = Math.floor(users.length / 2);

    const env = {
      NODE_OPTIONS: `--import ${new URL('./stepped-time.ts', import.meta.url).href}`,
      BENCH_STEPS_FILE: stepsFile,
    };
    const radius = async () => ({
      port: await freeUdpPort(),
      accountingPort: await freeUdpPort(),
      clients: [{ name: 'bench', address: '127.0.0.1', secret, passwordAndCode: true }],
    });
    const every = await startNode(cluster, 'every-core', { server: { workers: 'auto' }, radius: await radius() }, env);
    nodes.push(every);
    const one = await startNode(cluster, 'one-worker', { server: { workers: 1 }, radius: await radius() }, env);
    nodes.push(one);
    const portOf = (node: NodeProcess) =>
      JSON.parse(node.lines.find((l) => l.includes('RADIUS is listening'))!).port as number;
    freeradius = await startFreeRadius({
      secret,
      ldap: { url: slapd.url, bindDn: serviceDn, bindPassword: servicePassword, baseDn: directory.baseDn },
      totpSecrets: new Map([...users, checker].map((u) => [u.name, u.secretBase32])),
    });
    await assertRefusesWrongCredentials({ name: 'Tessera', port: portOf(every), now: clock.now }, checker);
    await assertRefusesWrongCredentials({ name: 'FreeRADIUS', port: freeradius.port, now: Date.now }, checker);

    const load = async (port: number, some: BenchUser[], stepped: boolean) => {
      const started = await startRadiusLoad({
        port,
        secret,
        users: some,
        concurrency,
        durationMs,
        ...(stepped ? { steps: clock.shared, stepsFile } : {}),
      });
      loads.push(started);
      return started;
    };
    const viaEvery = await load(portOf(every), users.slice(0, half), true);
    const viaOne = await load(portOf(one), users.slice(half), true);
    const viaFreeRadius = await load(freeradius.port, users, false);
    for (const l of [viaEvery, viaOne, viaFreeRadius]) await l.round('warm-up');

    const workers = availableParallelism();
    const slapdCpu = () => slapd.cpuSeconds();
    const postgres = () => commandCpuSeconds('postgres');
    const everySide = metered(() => viaEvery.round(`Tessera, ${workers} workers`), {
      node: () => treeCpuSeconds(every.process.pid!),
      postgres,
      slapd: slapdCpu,
    });
    const oneSide = metered(() => viaOne.round('Tessera, 1 worker'), {
      node: () => treeCpuSeconds(one.process.pid!),
      postgres,
      slapd: slapdCpu,
    });
    const freeRadiusSide = metered(() => viaFreeRadius.round('FreeRADIUS 3 (rlm_ldap + rlm_totp, its threads)'), {
      slapd: slapdCpu,
    });
    const sides = await compareSides([everySide.round, freeRadiusSide.round, oneSide.round], rounds);
    const [e, f, o] = sides.results;
    const outcome = report('RADIUS password+OTP logins on every core', 0.8, { a: e, b: f, ratio: sides.ratio(0, 1) });
    const per = (seconds: number, ops: number) => Math.round((1e6 * seconds) / ops);
    const cores = (r: typeof e) => (r.cpu.machine / r.seconds).toFixed(2);
    const t = everySide.totals;
    const t1 = oneSide.totals;
    console.log(
      `  ${workers} workers: machine ${cores(e)} of ${workers} cores busy; per login Tessera ${per(t.spent.node, t.operations)} µs, PostgreSQL ${per(t.spent.postgres, t.operations)} µs, slapd ${per(t.spent.slapd, t.operations)} µs; FreeRADIUS's side: machine ${cores(f)} cores busy, slapd ${per(freeRadiusSide.totals.spent.slapd, freeRadiusSide.totals.operations)} µs per login`,
    );
    console.log(
      `  1 worker on the same PostgreSQL: ${o.perSecond.toFixed(1)}/s, ${sides.ratio(2, 1).toFixed(2)} of FreeRADIUS (Tessera ${per(t1.spent.node, t1.operations)} µs, PostgreSQL ${per(t1.spent.postgres, t1.operations)} µs per login); ${workers} workers do ×${sides.ratio(0, 2).toFixed(2)} of 1`,
    );
    console.log(
      `radius-cores summary: Tessera on ${workers} workers, counters in the ${counters}, ${sides.ratio(0, 1).toFixed(2)} of FreeRADIUS 3 (goal ≥ 0.8, aim 1.0) ${outcome.met ? 'met' : 'NOT met'}`,
    );
    return outcome;
  } finally {
    for (const l of loads) await l.close();
    await freeradius?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    dropCluster(cluster);
    await database.drop();
    await slapd.close();
  }
}
