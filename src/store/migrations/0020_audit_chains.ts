import { PostgresAdapter, sql, type Kysely } from 'kysely';

// The audit log becomes one hash chain per writing process (issue 25): `chain` + `seq` replace the one global
// sequence every node raced for. `id` is a unique tiebreaker for listing newest first across chains (time alone is
// not unique); a PostgreSQL sequence hands it out without locking a row. The rows written before this migration
// become the chain `legacy`, their hashes untouched (they verify with the formula that wrote them).
// `user_typed` is the name as typed (`details.user`, lower case), so that the helpdesk's search by a name reads an
// index instead of every row's JSON.
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('audit_events_chained')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('chain', 'varchar(160)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'varchar(320)', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(320)')
    .addColumn('source', 'varchar(64)')
    .addColumn('outcome', 'varchar(32)', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('user_typed', 'varchar(320)')
    .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('hash', 'varchar(64)', (c) => c.notNull())
    .execute();
  const typed = postgres
    ? // A name with a NUL (\u0000 in the JSON) cannot be read as PostgreSQL text: left out of the search.
      sql`case when strpos(details, ${'\\u0000'}) > 0 then null
        when jsonb_typeof(details::jsonb -> 'user') = 'string' then lower(details::jsonb ->> 'user') end`
    : sql`case when json_type(details, '$.user') = 'text' then lower(json_extract(details, '$.user')) end`;
  await sql`insert into audit_events_chained
      (id, chain, seq, at, actor, action, subject, source, outcome, details, user_typed, prev_hash, hash)
    select seq, 'legacy', seq, at, actor, action, subject, source, outcome, details, ${typed}, prev_hash, hash
    from audit_events`.execute(db);
  await db.schema.dropTable('audit_events').execute();
  await db.schema.alterTable('audit_events_chained').renameTo('audit_events').execute();
  if (postgres)
    await sql`select setval(pg_get_serial_sequence('audit_events', 'id'), coalesce(max(id), 0) + 1, false)
      from audit_events`.execute(db);
  // A writer appends after its own head: (chain, seq) is unique, so two processes ever given one chain collide
  // and one re-reads, rather than forking it.
  await db.schema.createIndex('audit_events_chain_seq').on('audit_events').columns(['chain', 'seq']).unique().execute();
  // The helpdesk's lists, newest first: the whole log by (at, id); by account and by the name typed at a VPN login,
  // the rows of each found by index (bitmaps, then sorted: a person has few), the name's index holding only the rows
  // that have one. Every index costs each append, so no more than these.
  await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject', 'action']).execute();
  await db.schema
    .createIndex('audit_events_user_typed')
    .on('audit_events')
    .column('user_typed')
    .where(sql.ref('user_typed'), 'is not', null)
    .execute();
  // The chains there are, so that an anchor finds their heads without reading the log; never trusted by verify,
  // which reads the chains from the rows themselves.
  await db.schema
    .createTable('audit_chains')
    .addColumn('chain', 'varchar(160)', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into audit_chains (chain, started_at)
    select 'legacy', min(at) from audit_events where chain = 'legacy' having count(*) > 0`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
