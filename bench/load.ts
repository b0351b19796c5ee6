// A closed-loop load generator: `concurrency` workers call `operation` back to back for `durationMs`.
// Two targets measured with the same settings in the same run give a ratio that the machine's noise mostly cancels.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface LoadResult {
  name: string;
  /** An open-loop round's (openLoop): from each operation's scheduled start to its end. */
  latencyMs?: { p50: number; p99: number; max: number };
  operations: number;
  seconds: number;
  perSecond: number;
  errors: number;
  /** CPU seconds over the measured time: the whole machine's, and the thread that ran the load generator. */
  cpu: { machine: number; generator: number };
}

export async function measure(
  name: string,
  operation: (i: number) => Promise<unknown>,
  o: { concurrency: number; durationMs: number; warmupMs?: number },
): Promise<LoadResult> {
  const run = async (durationMs: number) => {
    const deadline = performance.now() + durationMs;
    let operations = 0;
    let errors = 0;
    let counter = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (performance.now() < deadline) {
          try {
            await operation(counter++);
            operations++;
          } catch (err) {
            errors++;
            if (errors === 1) console.error(`  ${name}: ${(err as Error).message}`);
          }
        }
      }),
    );
    return { operations, errors, seconds: (performance.now() - started) / 1000 };
  };
  if (o.warmupMs) await run(o.warmupMs);
  const before = { machine: machineCpuSeconds(), generator: threadCpuSeconds() };
  const { operations, errors, seconds } = await run(o.durationMs);
  const cpu = { machine: machineCpuSeconds() - before.machine, generator: threadCpuSeconds() - before.generator };
  return { name, operations, seconds, perSecond: operations / seconds, errors, cpu };
}

/**
 * An open-loop load: operation i is due at `i / ratePerSecond` seconds whether or not the earlier ones have ended (as
 * people arrive), at most `maxInFlight` at once (more wait their turn), and its latency is counted from when it was
 * due, so that a stall shows in the figures as the queue it causes (no coordinated omission).
 */
export async function openLoop(
  name: string,
  operation: (i: number) => Promise<unknown>,
  o: { ratePerSecond: number; durationMs: number; maxInFlight: number },
): Promise<LoadResult> {
  const intervalMs = 1000 / o.ratePerSecond;
  const count = Math.max(1, Math.floor(o.durationMs / intervalMs));
  const latencies: number[] = [];
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let errors = 0;
  const before = { machine: machineCpuSeconds(), generator: threadCpuSeconds() };
  const started = performance.now();
  const runs: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    const early = due - performance.now();
    if (early >= 1) await new Promise((resolve) => setTimeout(resolve, early));
    runs.push(
      (async () => {
        if (inFlight >= o.maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
        inFlight++;
        try {
          await operation(i);
          latencies.push(performance.now() - due);
        } catch (err) {
          errors++;
          if (errors === 1) console.error(`  ${name}: ${(err as Error).message}`);
        } finally {
          inFlight--;
          waiting.shift()?.();
        }
      })(),
    );
  }
  await Promise.all(runs);
  const seconds = (performance.now() - started) / 1000;
  const cpu = { machine: machineCpuSeconds() - before.machine, generator: threadCpuSeconds() - before.generator };
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    name,
    operations: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    errors,
    cpu,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN },
  };
}

/**
 * Alternates the two targets in short rounds so that a slow moment of the machine hits both alike, and reports
 * the median of the per-round ratios, which one noisy round cannot move.
 */
export async function compare(
  a: () => Promise<LoadResult>,
  b: () => Promise<LoadResult>,
  rounds = 3,
): Promise<{ a: LoadResult; b: LoadResult; ratio: number }> {
  const {
    results: [ra, rb],
    ratio,
  } = await compareSides([a, b], rounds);
  return { a: ra, b: rb, ratio: ratio(0, 1) };
}

/**
 * `compare` for any number of targets: each round runs every target once, starting one further along each time so
 * that none always runs first, and `ratio(i, j)` is the median over the rounds of target i's rate to target j's.
 */
export async function compareSides(
  sides: Array<() => Promise<LoadResult>>,
  rounds = 3,
): Promise<{ results: LoadResult[]; ratio(i: number, j: number): number }> {
  const perRound: LoadResult[][] = [];
  for (let r = 0; r < rounds; r++) {
    const round = new Array<LoadResult>(sides.length);
    for (let k = 0; k < sides.length; k++) {
      const i = (r + k) % sides.length;
      round[i] = await sides[i]();
    }
    perRound.push(round);
  }
  const sum = (rs: LoadResult[]) => {
    const total = { ...rs[0], operations: 0, seconds: 0, errors: 0, cpu: { machine: 0, generator: 0 } };
    for (const r of rs) {
      total.operations += r.operations;
      total.seconds += r.seconds;
      total.errors += r.errors;
      total.cpu.machine += r.cpu.machine;
      total.cpu.generator += r.cpu.generator;
    }
    return total;
  };
  const results = sides
    .map((_, i) => sum(perRound.map((round) => round[i])))
    .map((r) => ({ ...r, perSecond: r.operations / r.seconds }));
  const ratio = (i: number, j: number) => {
    const ratios = perRound.map((round) => round[i].perSecond / round[j].perSecond).sort((x, y) => x - y);
    return ratios[Math.floor(ratios.length / 2)];
  };
  return { results, ratio };
}

/**
 * Wraps a side's round so that what each meter counts (CPU seconds, say) is summed over all of its rounds, with the
 * rounds' operations and seconds: where the work of a side went, beside how fast it was.
 */
export function metered<M extends string>(round: () => Promise<LoadResult>, meters: Record<M, () => number>) {
  const names = Object.keys(meters) as M[];
  const totals = {
    operations: 0,
    seconds: 0,
    spent: Object.fromEntries(names.map((m) => [m, 0])) as Record<M, number>,
  };
  return {
    totals,
    async round(): Promise<LoadResult> {
      const before = names.map((m) => meters[m]());
      const result = await round();
      names.forEach((m, i) => {
        totals.spent[m] += meters[m]() - before[i];
      });
      totals.operations += result.operations;
      totals.seconds += result.seconds;
      return result;
    },
  };
}

/** CPU seconds this thread has used so far. */
export function threadCpuSeconds(): number {
  const used = process.threadCpuUsage();
  return (used.user + used.system) / 1e6;
}

/** CPU seconds all cores of the machine have been busy (Linux /proc/stat, in 1/100 s), or NaN elsewhere. */
export function machineCpuSeconds(): number {
  try {
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq) / 100;
  } catch {
    return NaN;
  }
}

/**
 * The machine's CPU per operation of one side, in µs, split into the load generator, the `parts` given (CPU seconds
 * over the same rounds, e.g. slapd's), and the rest (the server under test, and whatever else the machine ran).
 * Which side costs the machine more per operation, and by how much, does not depend on how busy the machine was;
 * `idle` is the share of all cores left unused while the side ran: a side that leaves much is bound by one thread.
 */
export function cpuPerOperation(result: LoadResult, parts: Record<string, number>, rest: string) {
  const micros = (seconds: number) => Math.round((1e6 * seconds) / result.operations);
  const total = micros(result.cpu.machine);
  const shares = { ...parts, 'load generator': result.cpu.generator };
  const named = Object.entries(shares).map(([name, seconds]) => `${name} ${micros(seconds)}`);
  const restMicros = total - Object.values(shares).reduce((sum, seconds) => sum + micros(seconds), 0);
  const idle = `${Math.round(100 * (1 - result.cpu.machine / (result.seconds * availableParallelism())))}%`;
  return { total, idle, text: `${total} µs (${[...named, `${rest} ${restMicros}`].join(', ')})` };
}

export interface Outcome {
  line: string;
  /** Undefined for a line that measures without a goal (a breakdown, a reference). */
  met?: boolean;
}

export function report(title: string, goal: number, result: { a: LoadResult; b: LoadResult; ratio: number }): Outcome {
  const errors = result.a.errors + result.b.errors;
  const met = result.ratio >= goal && errors === 0;
  const line = `${title}: ${result.a.name} ${result.a.perSecond.toFixed(1)}/s vs ${result.b.name} ${result.b.perSecond.toFixed(1)}/s → median ratio ${result.ratio.toFixed(2)} (goal ≥ ${goal}) ${met ? 'met' : 'NOT met'}${errors ? ` [errors ${result.a.errors}/${result.b.errors}: not comparable]` : ''}`;
  console.log(line);
  return { line, met };
}

// A load generator is one address sending thousands of attempts: the limits are raised (still counted, so their
// cost stays in the figures) so that the bench measures work, not refusals.
const generous = { limit: 1_000_000, windowSeconds: 60 };
export const benchLimits = {
  limits: {
    signInPerAccount: generous,
    signInPerSource: generous,
    signUpPerSource: generous,
    mailPerAccount: generous,
    mailPerSource: generous,
    otpApiPerUser: generous,
  },
};
