// The full OIDC authorization-code login with a directory password (issue 25), as an app's users go through it:
// authorize → sign-in page → directory password → code → token, one new browser per login. Beside it, as the
// reference measured in the same run, the directory sign-in line's part alone (the sign-in page's POST): what the
// redirects, the code and the token endpoint add. No goal: a figure to follow, with the CPU breakdown of
// directory.ts. Both load generators run in worker threads of their own.
import { startTessera } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { benchLimits, compare, type Outcome } from './load.ts';
import { startWorkerLoad } from './worker-load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const concurrency = 8;

export async function benchDirectoryOidcLogins(): Promise<Outcome> {
  const slapd = await startSlapd({ logOperations: false });
  const tessera = await startTessera('sqlite', { ...benchLimits, directory: fixtureConfig('openldap', [slapd.url]) });
  const registered = await tessera.clients.add({
    client_id: 'bench',
    client_name: 'Bench',
    redirect_uris: ['http://127.0.0.1:9/cb'],
    first_party: true,
  });
  const generators = new URL('./directory-load.ts', import.meta.url);
  const person = { name: 'alice', password: 'correct horse battery' };
  const full = await startWorkerLoad(generators, 'tesseraOidcLoginLoad', {
    tesseraUrl: tessera.url,
    clientId: 'bench',
    clientSecret: String(registered.client_secret),
    ...person,
    concurrency,
    durationMs,
  });
  const pageOnly = await startWorkerLoad(generators, 'tesseraSignInLoad', {
    tesseraUrl: tessera.url,
    clientId: 'bench',
    ...person,
    concurrency,
    durationMs,
  });
  try {
    await full.round('warm-up');
    const result = await compare(
      () => full.round('full OIDC logins'),
      () => pageOnly.round('sign-in page POSTs alone'),
      rounds,
    );
    const errors = result.a.errors + result.b.errors;
    const line = `directory OIDC logins (authorize → sign-in → code → token, no goal): ${result.a.perSecond.toFixed(1)}/s vs the sign-in page's POST alone ${result.b.perSecond.toFixed(1)}/s → median ratio ${result.ratio.toFixed(2)}${errors ? ` [errors ${result.a.errors}/${result.b.errors}]` : ''}`;
    console.log(line);
    return { line };
  } finally {
    await full.close();
    await pageOnly.close();
    await tessera.stop();
    await slapd.close();
  }
}
