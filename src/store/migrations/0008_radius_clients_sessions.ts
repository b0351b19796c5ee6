import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // VPN gateways added by an operator at run time; the shared secret is sealed like every other secret at rest.
  // Flags are 0/1 integers: node:sqlite binds no booleans.
  await db.schema
    .createTable('radius_clients')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('address', 'varchar(64)', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('require_message_authenticator', 'integer', (c) => c.notNull())
    .addColumn('password_and_code', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // One row per VPN session a gateway reports by accounting (RFC 2866): Start, Interim-Update and Stop update it.
  await db.schema
    .createTable('radius_sessions')
    .addColumn('client', 'varchar(64)', (c) => c.notNull())
    .addColumn('session_id', 'varchar(253)', (c) => c.notNull())
    .addColumn('user_name', 'varchar(253)')
    .addColumn('nas_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('framed_address', 'varchar(64)')
    .addColumn('calling_station', 'varchar(253)')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('stopped_at', 'bigint')
    .addColumn('session_seconds', 'bigint')
    .addColumn('input_octets', 'bigint')
    .addColumn('output_octets', 'bigint')
    .addColumn('terminate_cause', 'varchar(64)')
    .addPrimaryKeyConstraint('radius_sessions_pk', ['client', 'session_id'])
    .execute();
  await db.schema.createIndex('radius_sessions_open').on('radius_sessions').columns(['stopped_at', 'client']).execute();
  await db.schema
    .createIndex('radius_sessions_user')
    .on('radius_sessions')
    .columns(['user_name', 'started_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
