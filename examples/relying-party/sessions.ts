// The demo app's own memory: local sessions and unfinished sign-ins. A real app would use its database;
// a demo keeps them in a Map, which also means a restart signs everyone out of the app (not out of Tessera).
import { randomBytes } from 'node:crypto';

export interface ShownClaims {
  sub: string;
  email?: string;
  amr?: string[];
  acr?: string;
}

export interface Session {
  /** 128 random bits (OWASP session management: at least 64 bits of entropy). */
  id: string;
  sub: string;
  /** Tessera's session id from the ID token; back-channel logout names it. */
  sid: string | undefined;
  claims: ShownClaims;
  idToken: string;
  /** Sent back by the Log out form, so another site cannot log the user out. */
  csrf: string;
  expiresAt: number;
}

export interface PendingLogin {
  id: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A `prompt=none` check: `login_required` on return is an answer, not an error. */
  silent: boolean;
  expiresAt: number;
}

export interface StoreOptions {
  sessionTtlMs: number;
  pendingLoginTtlMs: number;
  now?: () => number;
}

const randomId = () => randomBytes(16).toString('base64url');

export function createMemoryStore(o: StoreOptions) {
  const now = o.now ?? Date.now;
  const sessions = new Map<string, Session>();
  const pending = new Map<string, PendingLogin>();
  const seenLogoutTokens = new Map<string, number>();

  // Expired entries go when new ones arrive, so memory stays bounded by traffic of the last TTL.
  const prune = <T extends { expiresAt: number }>(map: Map<string, T>) => {
    const t = now();
    for (const [key, value] of map) if (value.expiresAt <= t) map.delete(key);
  };

  return {
    createSession(input: Omit<Session, 'id' | 'csrf' | 'expiresAt'>): Session {
      prune(sessions);
      const session = { ...input, id: randomId(), csrf: randomId(), expiresAt: now() + o.sessionTtlMs };
      sessions.set(session.id, session);
      return session;
    },

    getSession(id: string | undefined): Session | undefined {
      const session = id ? sessions.get(id) : undefined;
      return session && session.expiresAt > now() ? session : undefined;
    },

    deleteSession(id: string): void {
      sessions.delete(id);
    },

    /** OIDC BCL 1.0 §2.7: with a sid, end that Tessera session's sessions; with only a sub, all of that user's. */
    deleteBy(match: { sid?: string; sub?: string }): number {
      let count = 0;
      for (const [id, s] of sessions) {
        const hit =
          match.sid !== undefined
            ? s.sid === match.sid && (match.sub === undefined || s.sub === match.sub)
            : s.sub === match.sub;
        if (hit) {
          sessions.delete(id);
          count++;
        }
      }
      return count;
    },

    createPending(input: Omit<PendingLogin, 'id' | 'expiresAt'>): PendingLogin {
      prune(pending);
      const login = { ...input, id: randomId(), expiresAt: now() + o.pendingLoginTtlMs };
      pending.set(login.id, login);
      return login;
    },

    /** Single use: a callback consumes its sign-in whatever the outcome, so a response cannot be replayed. */
    takePending(id: string | undefined): PendingLogin | undefined {
      if (!id) return undefined;
      const login = pending.get(id);
      pending.delete(id);
      return login && login.expiresAt > now() ? login : undefined;
    },

    /** OIDC BCL 1.0 §2.6 step 6: a logout token's jti is accepted once; false when seen before. */
    rememberLogoutToken(jti: string, expiresAt: number): boolean {
      const t = now();
      for (const [key, exp] of seenLogoutTokens) if (exp <= t) seenLogoutTokens.delete(key);
      if (seenLogoutTokens.has(jti)) return false;
      seenLogoutTokens.set(jti, expiresAt);
      return true;
    },
  };
}

export type MemoryStore = ReturnType<typeof createMemoryStore>;
