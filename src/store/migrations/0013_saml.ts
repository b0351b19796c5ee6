import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // SAML service providers, added from their metadata (`tessera saml sp add`). The metadata is kept as given, so
  // an app's certificates and endpoints are read from what its owner published; `settings` is Tessera's JSON per app
  // (NameID format, attribute names, whether the whole response is signed).
  await db.schema
    .createTable('saml_service_providers')
    .addColumn('entity_id', 'varchar(1024)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // The IdP's signing keys: `current` signs, `next` is published in the metadata ahead of a rollover, `retired`
  // is kept for the audit trail. The private key is sealed at rest.
  await db.schema
    .createTable('saml_keys')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  // An AuthnRequest (or an IdP-initiated sign-in) between its arrival and its answer. One row per request ID and
  // app: a replayed request ID is refused by the unique constraint, on every node. Answering is a conditional
  // update, so a request is answered once.
  await db.schema
    .createTable('saml_requests')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('sp_entity_id', 'varchar(1024)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('acs_url', 'text', (c) => c.notNull())
    .addColumn('relay_state', 'text')
    .addColumn('force_authn', 'integer', (c) => c.notNull())
    .addColumn('requested_mfa', 'integer', (c) => c.notNull())
    .addColumn('code_verifier', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('saml_requests_request_id', ['sp_entity_id', 'request_id'])
    .execute();

  // Who was signed in to which SAML app in which SSO session (the OIDC session uid), with the NameID and
  // SessionIndex it was given: Single Logout reads them on whichever node it runs.
  await db.schema
    .createTable('saml_participants')
    .addColumn('session_uid', 'varchar(64)', (c) => c.notNull())
    .addColumn('sp_entity_id', 'varchar(1024)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name_id', 'varchar(1024)', (c) => c.notNull())
    .addColumn('name_id_format', 'varchar(255)', (c) => c.notNull())
    .addColumn('session_index', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('saml_participants_pk', ['session_uid', 'sp_entity_id'])
    .execute();
  // A Single Logout in progress: the session it ends, who asked (null when the person signed out at Tessera),
  // the request ID (a replayed LogoutRequest is refused by the unique constraint) and where the answer goes once
  // every other app of the session was told in turn (front-channel, SAML profiles §4.4). Any node continues it.
  await db.schema
    .createTable('saml_logouts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('session_uid', 'varchar(64)', (c) => c.notNull())
    .addColumn('requester_entity_id', 'varchar(1024)')
    .addColumn('request_id', 'varchar(255)')
    .addColumn('response_url', 'text')
    .addColumn('relay_state', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('saml_logouts_request_id', ['requester_entity_id', 'request_id'])
    .execute();

  await db.schema
    .createIndex('saml_participants_session_index')
    .on('saml_participants')
    .column('session_index')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
