// An account's signed-in browsers and connected apps, as oidc-provider stores them, and ending them: the session
// row goes with the tokens issued in it, and every app that asked for it gets a back-channel logout. An app's grant
// (the person's consent, one per person and app, shared by their sessions) stays until "Remove access".
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../clock/index.ts';
import type { OidcStore } from './store.ts';

export interface SessionView {
  uid: string;
  signedInAt: number;
  lastSeenAt: number | null;
  userAgent: string | null;
  ip: string | null;
  apps: string[];
}

export interface AppGrantView {
  clientId: string;
  scopes: string[];
  grantedAt: number | null;
}

interface SessionPayload {
  uid: string;
  accountId?: string;
  loginTs?: number;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
}

type LogoutCapable = { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> };

export function createSessionManager(
  provider: Provider,
  store: OidcStore,
  clock: Clock,
  onError: (err: unknown) => void,
) {
  const live = (model: string, accountId: string) => store.live(model, accountId, clock.now());

  async function notifyLogout(clientId: string, accountId: string, sid: string | undefined) {
    const client = (await provider.Client.find(clientId)) as unknown as LogoutCapable | undefined;
    if (client?.backchannelLogoutUri) await client.backchannelLogout(accountId, sid ?? '').catch(onError);
  }

  // Codes, access and refresh tokens (offline ones too) issued in this session; the grant's others stay.
  async function revokeSessionTokens(grantId: string, sessionUid: string) {
    const rows = await store.issuedUnder(grantId);
    for (const row of rows.filter(
      (r) => (JSON.parse(r.payload) as { sessionUid?: string }).sessionUid === sessionUid,
    )) {
      await store.destroy(row.model, row.id);
    }
  }

  async function endSessionRow(accountId: string, row: { id: string; payload: string }) {
    const session = JSON.parse(row.payload) as SessionPayload;
    for (const [clientId, authorization] of Object.entries(session.authorizations ?? {})) {
      await notifyLogout(clientId, accountId, authorization.sid);
      if (authorization.grantId) await revokeSessionTokens(authorization.grantId, session.uid);
    }
    await store.destroy('Session', row.id);
    await store.destroyDetail(session.uid);
  }

  return {
    /** Called on every successful authorization: remembers the browser and address of the SSO session. */
    async touch(ctx: KoaContextWithOIDC) {
      const session = ctx.oidc.session;
      if (!session?.accountId || !session.uid) return;
      const now = clock.now();
      await store.saveDetail(
        {
          sessionUid: session.uid,
          accountId: session.accountId,
          userAgent: (ctx.get('user-agent') || '').slice(0, 512) || null,
          ip: ctx.ip.slice(0, 64),
          lastSeenAt: now,
        },
        now,
      );
    },

    async list(accountId: string): Promise<SessionView[]> {
      const rows = await live('Session', accountId);
      const sessions = rows.map((r) => JSON.parse(r.payload) as SessionPayload);
      const details = await store.findDetails(sessions.map((s) => s.uid));
      return sessions
        .map((s) => {
          const d = details.find((x) => x.sessionUid === s.uid);
          return {
            uid: s.uid,
            signedInAt: (s.loginTs ?? 0) * 1000,
            lastSeenAt: d?.lastSeenAt ?? null,
            userAgent: d?.userAgent ?? null,
            ip: d?.ip ?? null,
            apps: Object.keys(s.authorizations ?? {}),
          };
        })
        .sort((a, b) => b.signedInAt - a.signedInAt);
    },

    /** Ends one session of this account; false when it is not (or no longer) one of its sessions. */
    async end(accountId: string, uid: string): Promise<boolean> {
      const rows = await live('Session', accountId);
      const row = rows.find((r) => (JSON.parse(r.payload) as SessionPayload).uid === uid);
      if (!row) return false;
      await endSessionRow(accountId, row);
      return true;
    },

    /** "Sign out everywhere": every session, grant, access and refresh token of the account. */
    async endAll(accountId: string): Promise<number> {
      const rows = await live('Session', accountId);
      for (const row of rows) await endSessionRow(accountId, row);
      await store.destroyAccountRows(accountId);
      await store.destroyAccountDetails(accountId);
      return rows.length;
    },

    /** Each app once, with what it was given; data written before grants were shared may hold several per app. */
    async apps(accountId: string): Promise<AppGrantView[]> {
      const grants = (await live('Grant', accountId))
        .map((r) => JSON.parse(r.payload) as { clientId: string; openid?: { scope?: string }; iat?: number })
        .sort((a, b) => (a.iat ?? 0) - (b.iat ?? 0));
      const byApp = new Map<string, AppGrantView>();
      for (const grant of grants) {
        const app = byApp.get(grant.clientId) ?? {
          clientId: grant.clientId,
          scopes: [],
          grantedAt: grant.iat ? grant.iat * 1000 : null,
        };
        app.scopes = [...new Set([...app.scopes, ...(grant.openid?.scope ?? '').split(' ').filter(Boolean)])];
        byApp.set(grant.clientId, app);
      }
      return [...byApp.values()];
    },

    /** Takes an app's access away: its grant and tokens go, and it is told to end its own session. */
    async revokeApp(accountId: string, clientId: string): Promise<boolean> {
      const grants = (await live('Grant', accountId)).filter(
        (r) => (JSON.parse(r.payload) as { clientId: string }).clientId === clientId,
      );
      if (grants.length === 0) return false;
      for (const row of await live('Session', accountId)) {
        const authorization = (JSON.parse(row.payload) as SessionPayload).authorizations?.[clientId];
        if (authorization) await notifyLogout(clientId, accountId, authorization.sid);
      }
      for (const grant of grants) await store.destroyGrant(grant.id);
      return true;
    },
  };
}

export type SessionManager = ReturnType<typeof createSessionManager>;
