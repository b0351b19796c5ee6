// Sign-in benches need one sign-in page (an OIDC interaction) per sign-in; they are opened before the clock
// starts, so only the sign-in itself is measured.
import { createAgent, hiddenField, type RunningTessera } from '../test/support/tessera.ts';

export function signInPages(tessera: RunningTessera, clientId: string, credentials: { name: string; password: string }) {
  const prepared: Array<() => Promise<void>> = [];
  return {
    async open(count: number): Promise<void> {
      prepared.length = 0;
      for (let i = 0; i < count; i++) {
        const agent = createAgent();
        const url = `${tessera.url}/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`;
        const page = await agent.follow(url, tessera.url);
        const csrf = hiddenField(await page.response.text(), 'csrf');
        prepared.push(async () => {
          const response = await agent.postForm(`${page.url}/login`, { csrf, email: credentials.name, password: credentials.password });
          if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
        });
      }
    },
    /** Signs in on the next opened page. */
    async signIn(): Promise<void> {
      const next = prepared.pop();
      if (!next) throw new Error('ran out of opened sign-in pages');
      await next();
    },
  };
}
