// The console's own session: a sealed cookie (who, which SSO session, when signed in, when last seen) renewed at each
// request, so it ends after `idleSeconds` without one and `absoluteSeconds` after the sign-in; and only while the SSO
// session it came from lives, so signing out of Tessera (or an administrator ending the session) ends it too.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Clock } from '../../clock/index.ts';

export const consoleCookie = 'tessera_console';
const sealContext = 'console-session';

export interface ConsoleSession {
  accountId: string;
  /** The SSO session's uid: the CSRF tokens are bound to it. */
  uid: string;
  loginAt: number;
}

export interface SessionOptions {
  provider: Provider;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  clock: Clock;
  secureCookies: boolean;
  limits: { idleSeconds: number; absoluteSeconds: number };
}

const cookieOf = (req: FastifyRequest) =>
  new RegExp(`(?:^|;\\s*)${consoleCookie}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];

export function consoleSessions(o: SessionOptions) {
  const attributes = `Path=/console; HttpOnly; SameSite=Strict${o.secureCookies ? '; Secure' : ''}`;

  /** The SSO session in this browser: its account, uid and how it was proven, or undefined. */
  async function ssoSession(req: FastifyRequest, reply: FastifyReply) {
    const ctx = o.provider.createContext(req.raw, reply.raw);
    const session = await o.provider.Session.get(ctx as never);
    if (!session.accountId) return undefined;
    return {
      accountId: session.accountId,
      uid: session.uid,
      loginAt: (session.loginTs ?? 0) * 1000,
      amr: (session.amr as string[] | undefined) ?? [],
    };
  }

  function write(reply: FastifyReply, session: ConsoleSession): void {
    const value = o.seal(JSON.stringify({ ...session, seenAt: o.clock.now() }), sealContext);
    reply.header('set-cookie', `${consoleCookie}=${value}; ${attributes}`);
  }

  return {
    ssoSession,
    start: write,
    end(reply: FastifyReply): void {
      reply.header('set-cookie', `${consoleCookie}=; ${attributes}; Max-Age=0`);
    },

    /** The console session, renewed; undefined (and the cookie cleared) once idle, too old or its SSO session gone. */
    async current(req: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | undefined> {
      const sealed = cookieOf(req);
      if (!sealed) return undefined;
      let stored: ConsoleSession & { seenAt: number };
      try {
        stored = JSON.parse(o.open(sealed, sealContext));
      } catch {
        return undefined;
      }
      const now = o.clock.now();
      const sso = await ssoSession(req, reply);
      const alive =
        now - stored.seenAt <= o.limits.idleSeconds * 1000 &&
        now - stored.loginAt <= o.limits.absoluteSeconds * 1000 &&
        sso?.uid === stored.uid &&
        sso.accountId === stored.accountId;
      if (!alive) {
        reply.header('set-cookie', `${consoleCookie}=; ${attributes}; Max-Age=0`);
        return undefined;
      }
      const session = { accountId: stored.accountId, uid: stored.uid, loginAt: stored.loginAt };
      write(reply, session);
      return session;
    },
  };
}

export type ConsoleSessions = ReturnType<typeof consoleSessions>;
