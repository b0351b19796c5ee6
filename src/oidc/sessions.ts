// An account's signed-in browsers and connected apps, as oidc-provider stores them, and ending them: the session
// row goes with the tokens issued in it, and every app that asked for it gets a back-channel logout. An app's grant
// (the person's consent, one per person and app, shared by their sessions) stays until "Remove access".
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

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

export function createSessionManager(provider: Provider, db: Kysely<Database>, clock: Clock, onError: (err: unknown) => void) {
  const live = (model: string, accountId: string) => db.selectFrom('oidc_payloads').select(['id', 'payload'])
    .where('model', '=', model).where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', clock.now())]));

  async function notifyLogout(clientId: string, accountId: string, sid: string | undefined) {
    const client = await provider.Client.find(clientId) as unknown as LogoutCapable | undefined;
    if (client?.backchannelLogoutUri) await client.backchannelLogout(accountId, sid ?? '').catch(onError);
  }

  async function revokeGrant(grantId: string) {
    await db.deleteFrom('oidc_payloads').where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])])).execute();
  }

  // Codes, access and refresh tokens (offline ones too) issued in this session; the grant's others stay.
  async function revokeSessionTokens(grantId: string, sessionUid: string) {
    const rows = await db.selectFrom('oidc_payloads').select(['model', 'id', 'payload']).where('grant_id', '=', grantId).execute();
    for (const row of rows.filter((r) => (JSON.parse(r.payload) as { sessionUid?: string }).sessionUid === sessionUid)) {
      await db.deleteFrom('oidc_payloads').where('model', '=', row.model).where('id', '=', row.id).execute();
    }
  }

  async function endSessionRow(accountId: string, row: { id: string; payload: string }) {
    const session = JSON.parse(row.payload) as SessionPayload;
    for (const [clientId, authorization] of Object.entries(session.authorizations ?? {})) {
      await notifyLogout(clientId, accountId, authorization.sid);
      if (authorization.grantId) await revokeSessionTokens(authorization.grantId, session.uid);
    }
    await db.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('id', '=', row.id).execute();
    await db.deleteFrom('session_details').where('session_uid', '=', session.uid).execute();
  }

  return {
    /** Called on every successful authorization: remembers the browser and address of the SSO session. */
    async touch(ctx: KoaContextWithOIDC) {
      const session = ctx.oidc.session;
      if (!session?.accountId || !session.uid) return;
      const now = clock.now();
      const details = { account_id: session.accountId, user_agent: (ctx.get('user-agent') || '').slice(0, 512) || null, ip: ctx.ip.slice(0, 64), last_seen_at: now };
      await db.insertInto('session_details').values({ session_uid: session.uid, created_at: now, ...details })
        .onConflict((oc) => oc.column('session_uid').doUpdateSet(details)).execute();
    },

    async list(accountId: string): Promise<SessionView[]> {
      const rows = await live('Session', accountId).execute();
      const sessions = rows.map((r) => JSON.parse(r.payload) as SessionPayload);
      const details = sessions.length
        ? await db.selectFrom('session_details').selectAll().where('session_uid', 'in', sessions.map((s) => s.uid)).execute()
        : [];
      return sessions.map((s) => {
        const d = details.find((x) => x.session_uid === s.uid);
        return { uid: s.uid, signedInAt: (s.loginTs ?? 0) * 1000, lastSeenAt: d?.last_seen_at ?? null, userAgent: d?.user_agent ?? null, ip: d?.ip ?? null, apps: Object.keys(s.authorizations ?? {}) };
      }).sort((a, b) => b.signedInAt - a.signedInAt);
    },

    /** Ends one session of this account; false when it is not (or no longer) one of its sessions. */
    async end(accountId: string, uid: string): Promise<boolean> {
      const rows = await live('Session', accountId).execute();
      const row = rows.find((r) => (JSON.parse(r.payload) as SessionPayload).uid === uid);
      if (!row) return false;
      await endSessionRow(accountId, row);
      return true;
    },

    /** "Sign out everywhere": every session, grant, access and refresh token of the account. */
    async endAll(accountId: string): Promise<number> {
      const rows = await live('Session', accountId).execute();
      for (const row of rows) await endSessionRow(accountId, row);
      await db.deleteFrom('oidc_payloads').where('account_id', '=', accountId).execute();
      await db.deleteFrom('session_details').where('account_id', '=', accountId).execute();
      return rows.length;
    },

    /** Each app once, with what it was given; data written before grants were shared may hold several per app. */
    async apps(accountId: string): Promise<AppGrantView[]> {
      const grants = (await live('Grant', accountId).execute())
        .map((r) => JSON.parse(r.payload) as { clientId: string; openid?: { scope?: string }; iat?: number })
        .sort((a, b) => (a.iat ?? 0) - (b.iat ?? 0));
      const byApp = new Map<string, AppGrantView>();
      for (const grant of grants) {
        const app = byApp.get(grant.clientId) ?? { clientId: grant.clientId, scopes: [], grantedAt: grant.iat ? grant.iat * 1000 : null };
        app.scopes = [...new Set([...app.scopes, ...(grant.openid?.scope ?? '').split(' ').filter(Boolean)])];
        byApp.set(grant.clientId, app);
      }
      return [...byApp.values()];
    },

    /** Takes an app's access away: its grant and tokens go, and it is told to end its own session. */
    async revokeApp(accountId: string, clientId: string): Promise<boolean> {
      const grants = (await live('Grant', accountId).execute()).filter((r) => (JSON.parse(r.payload) as { clientId: string }).clientId === clientId);
      if (grants.length === 0) return false;
      for (const row of await live('Session', accountId).execute()) {
        const authorization = (JSON.parse(row.payload) as SessionPayload).authorizations?.[clientId];
        if (authorization) await notifyLogout(clientId, accountId, authorization.sid);
      }
      for (const grant of grants) await revokeGrant(grant.id);
      return true;
    },
  };
}

export type SessionManager = ReturnType<typeof createSessionManager>;
