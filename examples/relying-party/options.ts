// What a demo app is told at start, and the defaults it falls back on (one place, each with its reason).

export interface Theme {
  /** Header and button colour; white text sits on it, so keep it dark enough for WCAG AA (4.5:1). */
  accent: string;
  /** Page background, a light tint so the two apps are told apart at a glance. */
  background: string;
}

export interface DemoAppOptions {
  /** Shown in the header and the page title. */
  name: string;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Tessera's issuer, e.g. http://localhost:8080. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where browsers reach this app; redirect and logout URIs are built from it. */
  publicUrl?: string;
  theme?: Theme;
}

export interface DemoApp {
  url: string;
  close(): Promise<void>;
}

export const defaults = {
  // `localhost` (not 127.0.0.1) because the registered redirect URIs say localhost, and Fastify then listens on both ::1 and 127.0.0.1.
  host: 'localhost',
  theme: { accent: '#1f4e8c', background: '#f4f7fb' } satisfies Theme,
  // No offline_access: a demo page needs no refresh token, and Tessera issues one only to an app that asks for it.
  scope: 'openid email profile',
  // An authorization request left unfinished longer than this is forgotten.
  pendingLoginTtlMs: 10 * 60_000,
  // A local session lives at most a working day; Tessera's own session usually ends it sooner through back-channel logout.
  sessionTtlMs: 8 * 3_600_000,
  // Tessera starts together with the apps: discovery is retried with these pauses before a page says "not reachable".
  discoveryRetryDelaysMs: [250, 500, 1_000, 2_000],
  // Back-channel logout tokens: allowed clock difference, and how old a token may be (OIDC BCL 1.0 §2.6 "iat").
  logoutTokenClockToleranceSeconds: 60,
  logoutTokenMaxAgeSeconds: 5 * 60,
} as const;
