import type { Kysely } from 'kysely';

// Lookups on hot paths that read whole tables without these: every sign-in page asks whether its interaction's
// sign-up was confirmed by mail, and every VPN login by challenge asks whether the person ever logged in with a
// code (the audit log grows without bound; the account page's activity list reads by subject too).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('email_verifications_interaction')
    .on('email_verifications')
    .column('interaction_uid')
    .execute();
  await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject', 'action']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
