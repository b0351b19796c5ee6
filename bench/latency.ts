// Latency at a sustainable load (issue 25): the maximum rate of password sign-ins (through the sign-in page) and of
// RADIUS password+OTP logins (directory password, TOTP) is measured first, closed-loop, then each is driven
// open-loop at 70 % of it, requests arriving on schedule whether or not earlier ones have ended, and p50 / p99 are
// counted from when each was due. Goal: p99 under 100 ms for both. Tessera runs as `tessera serve` does, on SQLite.
import { randomBytes } from 'node:crypto';
import { startTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { benchLimits, openLoop, type LoadResult, type Outcome } from './load.ts';
import { benchCustomerSignIns } from './sign-in-pages.ts';
import { directoryUsersLdif, enrol, startRadiusLoad } from './radius.ts';
import { steppingClock, type BenchUser } from './radius-load.ts';

const durationMs = Number(process.env.BENCH_LATENCY_SECONDS ?? 5) * 1000;
const share = 0.7;
const goalMs = 100;
const concurrency = 8;
const secret = 'bench-radius-shared-secret-32-chars!';

function describe(what: string, max: LoadResult, open: LoadResult) {
  const l = open.latencyMs!;
  const met = l.p99 < goalMs && open.errors === 0;
  const text = `${what} at ${open.perSecond.toFixed(0)}/s (70 % of the ${max.perSecond.toFixed(0)}/s measured): p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(0)} ms${open.errors ? ` [errors ${open.errors}]` : ''}`;
  return { met, text };
}

export async function benchLatency(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const clock = steppingClock();
  const tessera = await startTessera(
    'sqlite',
    {
      ...benchLimits,
      directory: fixtureConfig('openldap', [slapd.url]),
      radius: { port: 0, clients: [{ name: 'bench', address: '127.0.0.1', secret, passwordAndCode: true }] },
    },
    { clock },
  );
  try {
    const pages = await benchCustomerSignIns(tessera);
    await tessera.policies.save(
      { appId: 'radius:bench', otp: 'required', goLiveAt: null, graceSeconds: 0, groupOverrides: {} },
      0,
    );
    const names = Array.from({ length: 200 }, (_, i) => ({
      name: `late${String(i).padStart(4, '0')}`,
      password: `bench password ${i} ${randomBytes(4).toString('hex')}`,
    }));
    await slapd.modify(directoryUsersLdif(names));
    const users: BenchUser[] = [];
    for (let i = 0; i < names.length; i += concurrency)
      users.push(...(await Promise.all(names.slice(i, i + concurrency).map((u) => enrol(tessera, clock, u)))));

    // Sign-ins: the load generator in this thread, as the password-sign-ins line runs it.
    const signInMax = await pages.measure('sign-ins', { concurrency, durationMs, firstGuess: 200 });
    const signInRate = signInMax.perSecond * share;
    await pages.open(Math.ceil((signInRate * durationMs) / 1000) + concurrency);
    const signInOpen = await openLoop('sign-ins', () => pages.signIn(), {
      ratePerSecond: signInRate,
      durationMs,
      maxInFlight: 4 * concurrency,
    });

    // RADIUS: the gateway side in a worker thread, as the radius-logins line runs it.
    const radius = await startRadiusLoad({
      port: tessera.radiusAddress()!.port,
      secret,
      users,
      concurrency,
      durationMs,
      steps: clock.shared,
    });
    let radiusMax: LoadResult;
    let radiusOpen: LoadResult;
    try {
      await radius.round('warm-up');
      radiusMax = await radius.round('RADIUS logins');
      radiusOpen = await radius.round('RADIUS logins', radiusMax.perSecond * share);
    } finally {
      await radius.close();
    }
    const lines = [
      describe('password sign-ins', signInMax, signInOpen),
      describe('RADIUS logins', radiusMax, radiusOpen),
    ];
    const met = lines.every((l) => l.met);
    const line = `latency at 70 % of the maximum rate (goal p99 < ${goalMs} ms): ${lines.map((l) => l.text).join('; ')} ${met ? 'met' : 'NOT met'}`;
    console.log(line);
    return { line, met };
  } finally {
    await tessera.stop();
    await slapd.close();
  }
}
