// Directory sign-ins through Tessera's sign-in page against plain ldapts binds (connect, bind, unbind) as the same
// user to the same slapd. Both load generators run in worker threads, so neither takes CPU from Tessera's thread.
import { startTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { benchLimits, compare, report, type LoadResult, type Outcome } from './load.ts';
import { startWorkerLoad } from './worker-load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const concurrency = 8;

export async function benchDirectorySignIns(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const tessera = await startTessera('sqlite', { ...benchLimits, directory: fixtureConfig('openldap', [slapd.url]) });
  await tessera.clients.add({ client_id: 'bench', client_name: 'Bench', redirect_uris: ['http://127.0.0.1:9/cb'], first_party: true });
  const generators = new URL('./directory-load.ts', import.meta.url);
  const password = 'correct horse battery';
  const viaTessera = await startWorkerLoad(generators, 'tesseraSignInLoad', { tesseraUrl: tessera.url, clientId: 'bench', name: 'alice', password, concurrency, durationMs });
  const plainBinds = await startWorkerLoad(generators, 'plainBindLoad', { ldapUrl: slapd.url, dn: 'uid=alice,ou=people,dc=example,dc=org', password, concurrency, durationMs });
  // How busy slapd was during each side's rounds: a side that keeps it near 100% of a core is bound by the directory.
  const busy = { tessera: { cpu: 0, seconds: 0 }, plain: { cpu: 0, seconds: 0 } };
  const watched = (side: keyof typeof busy, round: () => Promise<LoadResult>) => async () => {
    const before = slapd.cpuSeconds();
    const result = await round();
    busy[side].cpu += slapd.cpuSeconds() - before;
    busy[side].seconds += result.seconds;
    return result;
  };
  try {
    const result = await compare(
      watched('tessera', () => viaTessera.round('Tessera directory sign-ins')),
      watched('plain', () => plainBinds.round('plain ldapts binds')),
      rounds,
    );
    const outcome = report('directory sign-ins', 0.8, result);
    const share = (side: keyof typeof busy) => `${Math.round(100 * busy[side].cpu / busy[side].seconds)}%`;
    console.log(`  slapd busy (of one core): ${share('tessera')} during Tessera's rounds, ${share('plain')} during plain binds'`);
    return outcome;
  } finally {
    await viaTessera.close();
    await plainBinds.close();
    await tessera.stop();
    await slapd.close();
  }
}
