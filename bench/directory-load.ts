// Both sides of the directory bench as load generators for a worker thread (worker-load.ts): sign-ins through
// Tessera's sign-in page, and plain ldapts binds (connect, bind, unbind) as the same user to the same slapd.
import { Client } from 'ldapts';
import { signInPages } from './sign-in-pages.ts';
import { measure } from './load.ts';
import type { LoadSide } from './worker-load.ts';

interface Load {
  concurrency: number;
  durationMs: number;
}

export async function tesseraSignInLoad(
  o: Load & { tesseraUrl: string; clientId: string; name: string; password: string },
): Promise<LoadSide> {
  const pages = signInPages(o.tesseraUrl, o.clientId, { name: o.name, password: o.password });
  return {
    round: (name) => pages.measure(name, { concurrency: o.concurrency, durationMs: o.durationMs, firstGuess: 600 }),
  };
}

export async function plainBindLoad(o: Load & { ldapUrl: string; dn: string; password: string }): Promise<LoadSide> {
  const plainBind = async () => {
    const ldap = new Client({ url: o.ldapUrl });
    try {
      await ldap.bind(o.dn, o.password);
    } finally {
      await ldap.unbind();
    }
  };
  return { round: (name) => measure(name, plainBind, o) };
}
