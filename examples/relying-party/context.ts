// Everything a route needs, built once per app by startDemoApp (no module-level state: a test runs two apps in one process).
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Issuer } from './issuer.ts';
import type { Look } from './pages.ts';
import type { MemoryStore } from './sessions.ts';
import { defaults } from './options.ts';

export interface Context {
  look: Look;
  issuer: string;
  clientId: string;
  store: MemoryStore;
  discover(): Promise<Issuer>;
  /** The app's public origin, known only once it listens (port 0 in tests). */
  baseUrl(): string;
  cookies: CookieNames;
  cookieOptions: CookieSerializeOptions;
  logoutToken: { clockToleranceSeconds: number; maxAgeSeconds: number };
}

export interface CookieNames {
  session: string;
  pending: string;
  ssoChecked: string;
}

// Cookies ignore ports: the shop (:8081), the forum (:8082) and Tessera (:8080) share `localhost`, so every name
// carries the client id, and none may be one of oidc-provider's (`_session`, `_interaction`, …).
export function cookieNames(clientId: string): CookieNames {
  return { session: `${clientId}.session`, pending: `${clientId}.pending`, ssoChecked: `${clientId}.sso-checked` };
}

export function cookieOptionsFor(baseUrl: URL): CookieSerializeOptions {
  // SameSite=Lax still travels on the top-level redirect back from Tessera to /callback.
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: baseUrl.protocol === 'https:' };
}

export const pendingCookieMaxAgeSeconds = defaults.pendingLoginTtlMs / 1000;
