// Scaling: one Tessera node with 2 workers against one with 1 worker, both `tessera serve` processes on the same
// PostgreSQL, for password sign-ins and client-credentials tokens. On a 2-core machine the load generator (this
// process) and PostgreSQL share the cores with the node, so beside each rate the CPU per operation of each part is
// printed: what the second worker could not get, and who took it.
import { availableParallelism } from 'node:os';
import { createTestDatabase } from '../test/support/databases.ts';
import { createCluster, dropCluster, openCluster, startNode, type NodeProcess } from '../test/support/nodes.ts';
import { signInPages } from './sign-in-pages.ts';
import { benchLimits, compareSides, metered, report, threadCpuSeconds, type LoadResult, type Outcome } from './load.ts';
import { measure } from './load.ts';
import { commandCpuSeconds, treeCpuSeconds } from './processes.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const goal = 1.8;

async function startScalingCluster() {
  const database = await createTestDatabase('postgres');
  const cluster = createCluster(database.url, 'http://127.0.0.1:9', {
    ...benchLimits,
    oidc: { allowPrivateNetworkCallbacks: true },
  });
  const setup = await openCluster(cluster);
  const registered = await setup.clients.add({
    client_id: 'bench',
    client_name: 'Bench',
    redirect_uris: ['http://127.0.0.1:9/cb'],
    grant_types: ['authorization_code', 'client_credentials'],
    first_party: true,
  });
  const password = 'bench mark pass phrase';
  await setup.accounts.createByOperator({ email: 'bench@example.com', password });
  await setup.close();
  const one = await startNode(cluster, 'one-worker', { server: { workers: 1 } });
  const two = await startNode(cluster, 'two-workers', { server: { workers: 2 } });
  return {
    one,
    two,
    secret: String(registered.client_secret),
    password,
    async close() {
      await Promise.all([one.stop(), two.stop()]);
      dropCluster(cluster);
      await database.drop();
    },
  };
}

/** Each side's rounds, metered: the node's processes, PostgreSQL and this load generator. */
function side(node: NodeProcess, round: () => Promise<LoadResult>) {
  const pid = node.process.pid!;
  return metered(round, {
    node: () => treeCpuSeconds(pid),
    postgres: () => commandCpuSeconds('postgres'),
    generator: threadCpuSeconds,
  });
}

function cpuLine(name: string, s: ReturnType<typeof side>, result: LoadResult) {
  const micros = (seconds: number) => Math.round((1e6 * seconds) / s.totals.operations);
  const { node, postgres, generator } = s.totals.spent;
  const busy = (node / s.totals.seconds).toFixed(2);
  const machine = (result.cpu.machine / result.seconds).toFixed(2);
  return `${name}: machine ${machine} of ${availableParallelism()} cores busy; node ${micros(node)} µs (${busy} cores), PostgreSQL (all its clients) ${micros(postgres)} µs, load generator ${micros(generator)} µs per operation`;
}

async function scalingLine(
  title: string,
  one: NodeProcess,
  two: NodeProcess,
  round: (node: NodeProcess, name: string) => () => Promise<LoadResult>,
): Promise<Outcome> {
  const a = side(two, round(two, '2 workers'));
  const b = side(one, round(one, '1 worker'));
  await a.round();
  await b.round();
  for (const s of [a, b])
    Object.assign(s.totals, { operations: 0, seconds: 0 }, { spent: { node: 0, postgres: 0, generator: 0 } });
  const sides = await compareSides([a.round, b.round], rounds);
  const outcome = report(`scaling, ${title}`, goal, {
    a: sides.results[0],
    b: sides.results[1],
    ratio: sides.ratio(0, 1),
  });
  console.log(
    `  CPU per operation: ${cpuLine('2 workers', a, sides.results[0])}; ${cpuLine('1 worker', b, sides.results[1])}`,
  );
  // Whatever the second worker does, the machine cannot do more than all its cores at 1 worker's cost per operation.
  const single = sides.results[1];
  const ceiling = availableParallelism() / (single.cpu.machine / single.seconds);
  console.log(
    `  this machine's ceiling: ×${ceiling.toFixed(2)} (${availableParallelism()} cores ÷ the cores busy with 1 worker); the goal needs ×${goal}`,
  );
  return outcome;
}

export async function benchScaling(): Promise<Outcome> {
  const c = await startScalingCluster();
  try {
    const authorization = `Basic ${Buffer.from(`bench:${c.secret}`).toString('base64')}`;
    const tokens = await scalingLine(
      'client-credentials tokens',
      c.one,
      c.two,
      (node, name) => () =>
        measure(
          name,
          async () => {
            const response = await fetch(`${node.url}/oidc/token`, {
              method: 'POST',
              headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
              body: 'grant_type=client_credentials',
            });
            if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}`);
            await response.arrayBuffer();
          },
          { concurrency: 16, durationMs },
        ),
    );
    const credentials = { name: 'bench@example.com', password: c.password };
    const pagesOf = new Map([c.one, c.two].map((node) => [node, signInPages(node.url, 'bench', credentials)]));
    const signIns = await scalingLine('password sign-ins', c.one, c.two, (node, name) => async () => {
      const pages = pagesOf.get(node)!;
      return pages.measure(name, { concurrency: 8, durationMs, firstGuess: 100 });
    });
    const met = tokens.met && signIns.met;
    const line = `scaling summary: 2 workers against 1 on one PostgreSQL — ${[tokens.line, signIns.line].map((l) => l.replace(/^scaling, ([^:]+):.*ratio ([\d.]+).*$/, '$1 ×$2')).join(', ')} (goal ≥ ${goal}) ${met ? 'met' : 'NOT met'}`;
    console.log(line);
    return { line, met };
  } finally {
    await c.close();
  }
}
