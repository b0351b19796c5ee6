// Directory sign-ins through Tessera's sign-in page against plain ldapts binds (connect, bind, unbind) as the same
// user to the same slapd.
import { Client } from 'ldapts';
import { startTessera, createAgent, hiddenField } from '../test/support/tessera.ts';
import { startSlapd, fixtureConfig } from '../test/support/slapd.ts';
import { compare, measure, report, type Outcome } from './load.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;

export async function benchDirectorySignIns(): Promise<Outcome> {
  const slapd = await startSlapd();
  const tessera = await startTessera('sqlite', { directory: fixtureConfig('openldap', [slapd.url]) });
  await tessera.clients.add({ client_id: 'bench', client_name: 'Bench', redirect_uris: ['http://127.0.0.1:9/cb'], first_party: true });
  const concurrency = 8;
  const prepared: Array<() => Promise<void>> = [];
  const prepare = async (count: number) => {
    prepared.length = 0;
    for (let i = 0; i < count; i++) {
      const agent = createAgent();
      const url = `${tessera.url}/oidc/auth?client_id=bench&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`;
      const page = await agent.follow(url, tessera.url);
      const csrf = hiddenField(await page.response.text(), 'csrf');
      prepared.push(async () => {
        const response = await agent.postForm(`${page.url}/login`, { csrf, email: 'alice', password: 'correct horse battery' });
        if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
      });
    }
  };
  const plainBind = async () => {
    const ldap = new Client({ url: slapd.url });
    try { await ldap.bind('uid=alice,ou=people,dc=example,dc=org', 'correct horse battery'); } finally { await ldap.unbind(); }
  };
  const result = await compare(
    async () => {
      await prepare(Math.ceil(durationMs / 1000 * 600));
      return measure('Tessera directory sign-ins', async () => { const next = prepared.pop(); if (!next) throw new Error('ran out of prepared sign-in pages'); await next(); }, { concurrency, durationMs });
    },
    () => measure('plain ldapts binds', plainBind, { concurrency, durationMs }),
    rounds,
  );
  await tessera.stop();
  await slapd.close();
  return report('directory sign-ins', 0.8, result);
}
