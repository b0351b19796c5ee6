// Directory sign-ins through Tessera's sign-in page against plain ldapts binds (connect, bind, unbind) as the same
// user to the same slapd. Both load generators run in worker threads, so neither takes CPU from Tessera's thread.
// A CPU breakdown per sign-in, with no goal: issue 25 withdrew the ≥ 0.8 one (a bind is not a peer; the breakdown
// showed it out of reach for any server that does what a sign-in must). The full OIDC login with a directory
// password is the `directory-oidc-logins` line (directory-oidc.ts).
import { startTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { benchLimits, compare, cpuPerOperation, metered, type Outcome } from './load.ts';
import { startWorkerLoad } from './worker-load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const concurrency = 8;

export async function benchDirectorySignIns(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const tessera = await startTessera('sqlite', { ...benchLimits, directory: fixtureConfig('openldap', [slapd.url]) });
  await tessera.clients.add({
    client_id: 'bench',
    client_name: 'Bench',
    redirect_uris: ['http://127.0.0.1:9/cb'],
    first_party: true,
  });
  const generators = new URL('./directory-load.ts', import.meta.url);
  const password = 'correct horse battery';
  const viaTessera = await startWorkerLoad(generators, 'tesseraSignInLoad', {
    tesseraUrl: tessera.url,
    clientId: 'bench',
    name: 'alice',
    password,
    concurrency,
    durationMs,
  });
  const plainBinds = await startWorkerLoad(generators, 'plainBindLoad', {
    ldapUrl: slapd.url,
    dn: 'uid=alice,ou=people,dc=example,dc=org',
    password,
    concurrency,
    durationMs,
  });
  const slapdCpu = { slapd: () => slapd.cpuSeconds() };
  const tesseraSide = metered(() => viaTessera.round('Tessera directory sign-ins'), slapdCpu);
  const plainSide = metered(() => plainBinds.round('plain ldapts binds'), slapdCpu);
  try {
    const result = await compare(tesseraSide.round, plainSide.round, rounds);
    const errors = result.a.errors + result.b.errors;
    const line = `directory sign-ins (CPU breakdown, no goal): ${result.a.name} ${result.a.perSecond.toFixed(1)}/s vs ${result.b.name} ${result.b.perSecond.toFixed(1)}/s → median ratio ${result.ratio.toFixed(2)}${errors ? ` [errors ${result.a.errors}/${result.b.errors}]` : ''}`;
    console.log(line);
    const outcome: Outcome = { line };
    // slapd does nothing while the next round's sign-in pages are opened, so its CPU over a whole round is its share.
    const viaTesseraCpu = cpuPerOperation(
      result.a,
      { 'slapd (search, bind, groups)': tesseraSide.totals.spent.slapd },
      'Tessera and the rest',
    );
    const plainCpu = cpuPerOperation(result.b, { 'slapd (connect, bind)': plainSide.totals.spent.slapd }, 'the rest');
    console.log(`  machine CPU per sign-in: Tessera's side ${viaTesseraCpu.text}; plain binds' ${plainCpu.text}`);
    console.log(
      `  at equal CPU per sign-in the ratio would be ${(plainCpu.total / viaTesseraCpu.total).toFixed(2)}; the machine was ${viaTesseraCpu.idle} idle during Tessera's rounds, ${plainCpu.idle} during plain binds'`,
    );
    return outcome;
  } finally {
    await viaTessera.close();
    await plainBinds.close();
    await tessera.stop();
    await slapd.close();
  }
}
