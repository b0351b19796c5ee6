// oidc-provider keeps sessions, grants, codes and tokens through this adapter; rows live in the database so
// several Tessera nodes share them (no in-memory state that matters).
import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { prepared, type Database } from '../store/index.ts';
import type { Clock } from '../clock/index.ts';

const grantBound = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

// Every page of a sign-in and every token request reads and writes these rows.
const upsertPayload = prepared((db, p: {
  model: string; id: string; payload: string; grant_id: string | null; account_id: string | null; user_code: string | null; uid: string | null; expires_at: number | null;
}) => {
  const row = { payload: p.payload, grant_id: p.grant_id, account_id: p.account_id, user_code: p.user_code, uid: p.uid, expires_at: p.expires_at };
  return db.insertInto('oidc_payloads').values({ model: p.model, id: p.id, consumed_at: null, ...row }).onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row));
});
const payloadBy = (column: 'id' | 'user_code' | 'uid') => prepared((db, p: { model: string; value: string }) =>
  db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at']).where('model', '=', p.model).where(column, '=', p.value));
const payloadByColumn = { id: payloadBy('id'), user_code: payloadBy('user_code'), uid: payloadBy('uid') };

export function createAdapterFactory(db: Kysely<Database>, clock: Clock, clients: { find(id: string): Promise<Record<string, unknown> | undefined> }) {
  return class DatabaseAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with `tessera client add`');
      await upsertPayload(db, {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: grantBound.has(this.model) ? payload.grantId ?? null : null,
        account_id: payload.accountId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? clock.now() + expiresIn * 1000 : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.find(id) as Promise<AdapterPayload | undefined>;
      return this.findWhere('id', id);
    }

    findByUserCode(userCode: string) { return this.findWhere('user_code', userCode); }
    findByUid(uid: string) { return this.findWhere('uid', uid); }

    async consume(id: string): Promise<void> {
      await db.updateTable('oidc_payloads').set({ consumed_at: clock.now() })
        .where('model', '=', this.model).where('id', '=', id).execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }

    private async findWhere(column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
      const [row] = (await payloadByColumn[column](db, { model: this.model, value })).rows;
      if (!row || (row.expires_at !== null && row.expires_at <= clock.now())) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
    }
  };
}

/**
 * Ends everything an account holds: SSO sessions, grants, access and refresh tokens, on every node at once.
 * Used when the directory disables an account, on "sign out everywhere" and after a password reset.
 */
export async function endAccountSessions(db: Kysely<Database>, accountId: string): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The person's grant for an app, whichever SSO session made it (rows carry the account, the payload the app). Data
 * written before grants were shared may hold several: the one that lives longest is the one kept in use.
 */
export async function findGrantId(db: Kysely<Database>, clock: Clock, accountId: string, clientId: string): Promise<string | undefined> {
  const rows = await db.selectFrom('oidc_payloads').select(['id', 'payload', 'expires_at'])
    .where('model', '=', 'Grant').where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', clock.now())]))
    .execute();
  const forApp = rows.filter((r) => (JSON.parse(r.payload) as { clientId?: string }).clientId === clientId);
  forApp.sort((a, b) => (b.expires_at ?? Infinity) - (a.expires_at ?? Infinity));
  return forApp[0]?.id;
}

/** Removes expired rows; oidc-provider never deletes what simply ran out. */
export async function purgeExpired(db: Kysely<Database>, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
