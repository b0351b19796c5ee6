import type { Kysely, Selectable } from 'kysely';
import {
  isUniqueViolation,
  type Database,
  type SamlKeysTable,
  type SamlLogoutsTable,
  type SamlParticipantsTable,
  type SamlRequestsTable,
} from '../../store/index.ts';
import type { Participant, PendingLogout, PendingRequest, SamlStore, StoredKey } from '../store.ts';

const toKey = (r: Selectable<SamlKeysTable>): StoredKey => ({
  id: r.id,
  state: r.state,
  privateKeySealed: r.private_key_sealed,
  certificate: r.certificate,
  createdAt: Number(r.created_at),
});

const toRequest = (r: Selectable<SamlRequestsTable>): PendingRequest => ({
  id: r.id,
  spEntityId: r.sp_entity_id,
  requestId: r.request_id,
  acsUrl: r.acs_url,
  relayState: r.relay_state,
  forceAuthn: r.force_authn === 1,
  requestedMfa: r.requested_mfa === 1,
  codeVerifier: r.code_verifier,
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

const toParticipant = (r: Selectable<SamlParticipantsTable>): Participant => ({
  sessionUid: r.session_uid,
  spEntityId: r.sp_entity_id,
  accountId: r.account_id,
  nameId: r.name_id,
  nameIdFormat: r.name_id_format,
  sessionIndex: r.session_index,
  createdAt: Number(r.created_at),
});

function providerStore(
  db: Kysely<Database>,
): Pick<SamlStore, 'insertProvider' | 'findProvider' | 'listProviders' | 'removeProvider'> {
  const columns = ['entity_id', 'name', 'metadata', 'settings', 'created_at'] as const;
  const toProvider = (r: {
    entity_id: string;
    name: string;
    metadata: string;
    settings: string;
    created_at: number;
  }) => ({
    entityId: r.entity_id,
    name: r.name,
    metadata: r.metadata,
    settings: r.settings,
    createdAt: Number(r.created_at),
  });
  return {
    async insertProvider(sp) {
      try {
        await db
          .insertInto('saml_service_providers')
          .values({
            entity_id: sp.entityId,
            name: sp.name,
            metadata: sp.metadata,
            settings: sp.settings,
            created_at: sp.createdAt,
          })
          .execute();
        return 'added';
      } catch (err) {
        if (isUniqueViolation(err)) return 'exists';
        throw err;
      }
    },
    async findProvider(entityId) {
      const row = await db
        .selectFrom('saml_service_providers')
        .select(columns)
        .where('entity_id', '=', entityId)
        .executeTakeFirst();
      return row && toProvider(row);
    },
    async listProviders() {
      const rows = await db.selectFrom('saml_service_providers').select(columns).orderBy('entity_id').execute();
      return rows.map(toProvider);
    },
    async removeProvider(entityId) {
      const result = await db.deleteFrom('saml_service_providers').where('entity_id', '=', entityId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function keyStore(db: Kysely<Database>): Pick<SamlStore, 'activeKeys' | 'insertKey' | 'setKeyState'> {
  return {
    async activeKeys() {
      const rows = await db
        .selectFrom('saml_keys')
        .selectAll()
        .where('state', '!=', 'retired')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toKey);
    },
    async insertKey(key) {
      await db
        .insertInto('saml_keys')
        .values({
          id: key.id,
          state: key.state,
          private_key_sealed: key.privateKeySealed,
          certificate: key.certificate,
          created_at: key.createdAt,
          retired_at: null,
        })
        .execute();
    },
    async setKeyState(id, state, atMs) {
      await db
        .updateTable('saml_keys')
        .set({ state, retired_at: state === 'retired' ? atMs : null })
        .where('id', '=', id)
        .execute();
    },
  };
}

function requestStore(
  db: Kysely<Database>,
): Pick<SamlStore, 'insertRequest' | 'findOpenRequest' | 'completeRequest' | 'purgeRequests'> {
  return {
    async insertRequest(r: PendingRequest, completedAt?: number) {
      try {
        await db
          .insertInto('saml_requests')
          .values({
            id: r.id,
            sp_entity_id: r.spEntityId,
            request_id: r.requestId,
            acs_url: r.acsUrl,
            relay_state: r.relayState,
            force_authn: r.forceAuthn ? 1 : 0,
            requested_mfa: r.requestedMfa ? 1 : 0,
            code_verifier: r.codeVerifier,
            expires_at: r.expiresAt,
            completed_at: completedAt ?? null,
            created_at: r.createdAt,
          })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async findOpenRequest(id, atMs) {
      const row = await db
        .selectFrom('saml_requests')
        .selectAll()
        .where('id', '=', id)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return row && toRequest(row);
    },
    async completeRequest(id, atMs) {
      const result = await db
        .updateTable('saml_requests')
        .set({ completed_at: atMs })
        .where('id', '=', id)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async purgeRequests(beforeMs) {
      await db.deleteFrom('saml_requests').where('expires_at', '<', beforeMs).execute();
    },
  };
}

function participantStore(
  db: Kysely<Database>,
): Pick<
  SamlStore,
  | 'saveParticipant'
  | 'participants'
  | 'sessionsWithApps'
  | 'participant'
  | 'removeParticipants'
  | 'participantByIndex'
  | 'removeParticipant'
  | 'purgeParticipants'
> {
  return {
    async participant(sessionUid, spEntityId) {
      const row = await db
        .selectFrom('saml_participants')
        .selectAll()
        .where('session_uid', '=', sessionUid)
        .where('sp_entity_id', '=', spEntityId)
        .executeTakeFirst();
      return row && toParticipant(row);
    },
    async sessionsWithApps(accountId) {
      const rows = await db
        .selectFrom('saml_participants')
        .select('session_uid')
        .distinct()
        .where('account_id', '=', accountId)
        .orderBy('session_uid')
        .execute();
      return rows.map((r) => r.session_uid);
    },
    async purgeParticipants(beforeMs) {
      await db.deleteFrom('saml_participants').where('created_at', '<', beforeMs).execute();
    },
    async participantByIndex(sessionIndex) {
      const row = await db
        .selectFrom('saml_participants')
        .selectAll()
        .where('session_index', '=', sessionIndex)
        .executeTakeFirst();
      return row && toParticipant(row);
    },
    async removeParticipant(sessionUid, spEntityId) {
      const result = await db
        .deleteFrom('saml_participants')
        .where('session_uid', '=', sessionUid)
        .where('sp_entity_id', '=', spEntityId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async saveParticipant(p) {
      const row = {
        session_uid: p.sessionUid,
        sp_entity_id: p.spEntityId,
        account_id: p.accountId,
        name_id: p.nameId,
        name_id_format: p.nameIdFormat,
        session_index: p.sessionIndex,
        created_at: p.createdAt,
      };
      await db
        .insertInto('saml_participants')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['session_uid', 'sp_entity_id']).doUpdateSet({
            name_id: row.name_id,
            name_id_format: row.name_id_format,
            session_index: row.session_index,
            created_at: row.created_at,
          }),
        )
        .execute();
    },
    async participants(sessionUid) {
      const rows = await db
        .selectFrom('saml_participants')
        .selectAll()
        .where('session_uid', '=', sessionUid)
        .orderBy('created_at')
        .execute();
      return rows.map(toParticipant);
    },
    async removeParticipants(sessionUid) {
      await db.deleteFrom('saml_participants').where('session_uid', '=', sessionUid).execute();
    },
  };
}

const toLogout = (r: Selectable<SamlLogoutsTable>): PendingLogout => ({
  id: r.id,
  sessionUid: r.session_uid,
  requesterEntityId: r.requester_entity_id,
  requestId: r.request_id,
  responseUrl: r.response_url,
  relayState: r.relay_state,
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

function logoutStore(
  db: Kysely<Database>,
): Pick<SamlStore, 'insertLogout' | 'findOpenLogout' | 'completeLogout' | 'purgeLogouts'> {
  return {
    async insertLogout(l) {
      try {
        await db
          .insertInto('saml_logouts')
          .values({
            id: l.id,
            session_uid: l.sessionUid,
            requester_entity_id: l.requesterEntityId,
            request_id: l.requestId,
            response_url: l.responseUrl,
            relay_state: l.relayState,
            expires_at: l.expiresAt,
            completed_at: null,
            created_at: l.createdAt,
          })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async findOpenLogout(id, atMs) {
      const row = await db
        .selectFrom('saml_logouts')
        .selectAll()
        .where('id', '=', id)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return row && toLogout(row);
    },
    async completeLogout(id, atMs) {
      const result = await db
        .updateTable('saml_logouts')
        .set({ completed_at: atMs })
        .where('id', '=', id)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async purgeLogouts(beforeMs) {
      await db.deleteFrom('saml_logouts').where('expires_at', '<', beforeMs).execute();
    },
  };
}

export function createSqlSamlStore(db: Kysely<Database>): SamlStore {
  return { ...providerStore(db), ...keyStore(db), ...requestStore(db), ...participantStore(db), ...logoutStore(db) };
}
