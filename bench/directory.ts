// Directory sign-ins through Tessera's sign-in page against plain ldapts binds (connect, bind, unbind) as the same
// user to the same slapd.
import { Client } from 'ldapts';
import { startTessera } from '../test/support/tessera.ts';
import { signInPages } from './sign-in-pages.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { benchLimits, compare, measure, report, type Outcome } from './load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;

export async function benchDirectorySignIns(): Promise<Outcome> {
  const slapd = await startSlapd();
  const tessera = await startTessera('sqlite', { ...benchLimits, directory: fixtureConfig('openldap', [slapd.url]) });
  await tessera.clients.add({ client_id: 'bench', client_name: 'Bench', redirect_uris: ['http://127.0.0.1:9/cb'], first_party: true });
  const concurrency = 8;
  const pages = signInPages(tessera, 'bench', { name: 'alice', password: 'correct horse battery' });
  const plainBind = async () => {
    const ldap = new Client({ url: slapd.url });
    try { await ldap.bind('uid=alice,ou=people,dc=example,dc=org', 'correct horse battery'); } finally { await ldap.unbind(); }
  };
  const result = await compare(
    () => pages.measure('Tessera directory sign-ins', { concurrency, durationMs, firstGuess: 600 }),
    () => measure('plain ldapts binds', plainBind, { concurrency, durationMs }),
    rounds,
  );
  await tessera.stop();
  await slapd.close();
  return report('directory sign-ins', 0.8, result);
}
