// oidc-provider's rows (oidc_payloads) and the details of SSO sessions (session_details).
import type { Kysely, Selectable } from 'kysely';
import { prepared, type Database, type SessionDetailsTable } from '../../store/index.ts';
import type { OidcStore, PayloadStore, SessionDetail, SessionDetailStore } from '../store.ts';

type PayloadParams = {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  account_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
};

function createPayloadStore(db: Kysely<Database>): PayloadStore {
  // Every page of a sign-in and every token request reads and writes these rows.
  const upsertPayload = prepared((db, p: PayloadParams) => {
    const row = {
      payload: p.payload,
      grant_id: p.grant_id,
      account_id: p.account_id,
      user_code: p.user_code,
      uid: p.uid,
      expires_at: p.expires_at,
    };
    return db
      .insertInto('oidc_payloads')
      .values({ model: p.model, id: p.id, consumed_at: null, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row));
  });
  const payloadBy = (column: 'id' | 'user_code' | 'uid') =>
    prepared((db, p: { model: string; value: string }) =>
      db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', p.model)
        .where(column, '=', p.value),
    );
  const payloadByColumn = { id: payloadBy('id'), user_code: payloadBy('user_code'), uid: payloadBy('uid') };
  return {
    async upsert(r) {
      await upsertPayload(db, {
        model: r.model,
        id: r.id,
        payload: r.payload,
        grant_id: r.grantId,
        account_id: r.accountId,
        user_code: r.userCode,
        uid: r.uid,
        expires_at: r.expiresAt,
      });
    },
    async find(model, column, value) {
      const [row] = (await payloadByColumn[column](db, { model, value })).rows;
      return row && { payload: row.payload, expiresAt: row.expires_at, consumedAt: row.consumed_at };
    },
    async consume(model, id, atMs) {
      await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: atMs })
        .where('model', '=', model)
        .where('id', '=', id)
        .execute();
    },
    async destroy(model, id) {
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();
    },
    async destroyByGrantId(grantId) {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    },
    async destroyGrant(grantId) {
      await db
        .deleteFrom('oidc_payloads')
        .where((eb) =>
          eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
        )
        .execute();
    },
    async live(model, accountId, atMs) {
      const rows = await db
        .selectFrom('oidc_payloads')
        .select(['id', 'payload', 'expires_at'])
        .where('model', '=', model)
        .where('account_id', '=', accountId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', atMs)]))
        .execute();
      return rows.map((r) => ({ id: r.id, payload: r.payload, expiresAt: r.expires_at }));
    },
    async issuedUnder(grantId) {
      return db
        .selectFrom('oidc_payloads')
        .select(['model', 'id', 'payload'])
        .where('grant_id', '=', grantId)
        .execute();
    },
    async destroyAccountRows(accountId) {
      const result = await db.deleteFrom('oidc_payloads').where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async purgeExpired(atMs) {
      const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', atMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

const toDetail = (r: Selectable<SessionDetailsTable>): SessionDetail => ({
  sessionUid: r.session_uid,
  accountId: r.account_id,
  userAgent: r.user_agent,
  ip: r.ip,
  lastSeenAt: r.last_seen_at,
});

function createSessionDetailStore(db: Kysely<Database>): SessionDetailStore {
  return {
    async saveDetail(d, atMs) {
      const details = { account_id: d.accountId, user_agent: d.userAgent, ip: d.ip, last_seen_at: d.lastSeenAt };
      await db
        .insertInto('session_details')
        .values({ session_uid: d.sessionUid, created_at: atMs, ...details })
        .onConflict((oc) => oc.column('session_uid').doUpdateSet(details))
        .execute();
    },
    async findDetails(sessionUids) {
      if (sessionUids.length === 0) return [];
      const rows = await db.selectFrom('session_details').selectAll().where('session_uid', 'in', sessionUids).execute();
      return rows.map(toDetail);
    },
    async destroyDetail(sessionUid) {
      await db.deleteFrom('session_details').where('session_uid', '=', sessionUid).execute();
    },
    async destroyAccountDetails(accountId) {
      await db.deleteFrom('session_details').where('account_id', '=', accountId).execute();
    },
  };
}

export function createSqlOidcStore(db: Kysely<Database>): OidcStore {
  return { ...createPayloadStore(db), ...createSessionDetailStore(db) };
}
