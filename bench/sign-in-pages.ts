// Sign-in benches need one sign-in page (an OIDC interaction) per sign-in; they are opened before the clock
// starts, so only the sign-in itself is measured.
import { createAgent, hiddenField, type RunningTessera } from '../test/support/tessera.ts';
import { measure, type LoadResult } from './load.ts';

// Opening pages is untimed but not free: a few at once keep the set-up short without starving the server.
const openConcurrency = 8;
// Pages opened per measured second, above the best rate seen: a faster round than any before still has enough.
const headroom = 1.5;

export function signInPages(tesseraUrl: string, clientId: string, credentials: { name: string; password: string }) {
  const prepared: Array<() => Promise<void>> = [];
  let ranOut = false;
  let bestRate = 0;

  async function openOne(): Promise<() => Promise<void>> {
    const agent = createAgent();
    const url = `${tesseraUrl}/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`;
    const page = await agent.follow(url, tesseraUrl);
    const csrf = hiddenField(await page.response.text(), 'csrf');
    return async () => {
      const response = await agent.postForm(`${page.url}/login`, {
        csrf,
        email: credentials.name,
        password: credentials.password,
      });
      if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
    };
  }

  const pages = {
    /** Makes sure at least `count` unused pages are open; pages left over from an earlier round stay usable. */
    async open(count: number): Promise<void> {
      // Pages still opening count too, so that the workers together open exactly what is missing.
      let opening = 0;
      await Promise.all(
        Array.from({ length: openConcurrency }, async () => {
          while (prepared.length + opening < count) {
            opening++;
            try {
              prepared.push(await openOne());
            } finally {
              opening--;
            }
          }
        }),
      );
    },
    /** Signs in on the next opened page. */
    async signIn(): Promise<void> {
      const next = prepared.pop();
      if (!next) {
        ranOut = true;
        throw new Error('ran out of opened sign-in pages');
      }
      await next();
    },
    /**
     * One measured round of sign-ins with enough pages: as many are opened as the best rate seen so far needs
     * (`firstGuess` per second before any round ran). A round that ran out anyway is not a measurement: it is
     * discarded and run again with pages for the rate it reached, so running out never shows up as errors.
     */
    async measure(
      name: string,
      o: { concurrency: number; durationMs: number; firstGuess: number },
    ): Promise<LoadResult> {
      for (;;) {
        const rate = Math.max(bestRate, o.firstGuess);
        await pages.open(Math.ceil((rate * headroom * o.durationMs) / 1000) + o.concurrency);
        ranOut = false;
        const result = await measure(name, () => pages.signIn(), o);
        // Sign-ins done before the pages ran out, over the whole round: a lower bound of the real rate.
        bestRate = Math.max(bestRate, result.perSecond);
        if (!ranOut) return result;
        console.error(`  ${name}: ran out of pages at ${result.perSecond.toFixed(0)}/s; round run again with more`);
        bestRate *= 2;
      }
    },
  };
  return pages;
}

export const benchPassword = 'bench mark pass phrase';

export type SignInPages = ReturnType<typeof signInPages>;

/** The sign-in benches' first-party app `bench` and customer `bench@example.com`, and the pages to sign them in. */
export async function benchCustomerSignIns(tessera: RunningTessera): Promise<SignInPages> {
  await tessera.clients.add({
    client_id: 'bench',
    client_name: 'Bench',
    redirect_uris: ['http://127.0.0.1:9/cb'],
    first_party: true,
  });
  await tessera.accounts.createByOperator({ email: 'bench@example.com', password: benchPassword });
  return signInPages(tessera.url, 'bench', { name: 'bench@example.com', password: benchPassword });
}
