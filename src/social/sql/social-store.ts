import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, type Database, type SocialFlowsTable, type SocialLinksTable } from '../../store/index.ts';
import type { SocialIdentity, SocialProviderName } from '../provider.ts';
import type { NewAccount, SocialFlow, SocialLink, SocialStore } from '../store.ts';

const toFlow = (row: Selectable<SocialFlowsTable>): SocialFlow => ({
  state: row.state,
  provider: row.provider as SocialProviderName,
  purpose: row.purpose,
  handle: row.handle,
  accountId: row.account_id,
  browserHash: row.browser_hash,
  nonce: row.nonce,
  codeVerifier: row.code_verifier,
  identity: row.identity === null ? null : (JSON.parse(row.identity) as SocialIdentity),
  expiresAt: Number(row.expires_at),
  createdAt: Number(row.created_at),
});

const toLink = (row: Selectable<SocialLinksTable>): SocialLink => ({
  provider: row.provider as SocialProviderName,
  subject: row.subject,
  accountId: row.account_id,
  email: row.email,
  createdAt: Number(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
});

function flowQueries(db: Kysely<Database>) {
  return {
    async saveFlow(flow: SocialFlow) {
      await db
        .insertInto('social_flows')
        .values({
          state: flow.state,
          provider: flow.provider,
          purpose: flow.purpose,
          handle: flow.handle,
          account_id: flow.accountId,
          browser_hash: flow.browserHash,
          nonce: flow.nonce,
          code_verifier: flow.codeVerifier,
          identity: null,
          returned_at: null,
          proof_hash: null,
          proven_at: null,
          taken_at: null,
          expires_at: flow.expiresAt,
          created_at: flow.createdAt,
        })
        .execute();
    },
    async findLeaving(state: string, atMs: number) {
      const row = await db
        .selectFrom('social_flows')
        .selectAll()
        .where('state', '=', state)
        .where('returned_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return row && toFlow(row);
    },
    async recordReturn(state: string, identity: SocialIdentity, atMs: number) {
      const result = await db
        .updateTable('social_flows')
        .set({ identity: JSON.stringify(identity), returned_at: atMs })
        .where('state', '=', state)
        .where('returned_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async findReturned(handle: string, atMs: number) {
      const row = await db
        .selectFrom('social_flows')
        .selectAll()
        .where('handle', '=', handle)
        .where('returned_at', 'is not', null)
        .where('taken_at', 'is', null)
        .where('expires_at', '>', atMs)
        .orderBy('returned_at', 'desc')
        .executeTakeFirst();
      return row && toFlow(row);
    },
    async setProof(state: string, proofHash: string) {
      await db.updateTable('social_flows').set({ proof_hash: proofHash }).where('state', '=', state).execute();
    },
    async useProof(proofHash: string, atMs: number) {
      // A conditional update first: of two clicks on the same link one proves.
      const result = await db
        .updateTable('social_flows')
        .set({ proven_at: atMs })
        .where('proof_hash', '=', proofHash)
        .where('proven_at', 'is', null)
        .where('taken_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const row = await db
        .selectFrom('social_flows')
        .selectAll()
        .where('proof_hash', '=', proofHash)
        .executeTakeFirst();
      return row && toFlow(row);
    },
    async take(state: string, atMs: number) {
      const result = await db
        .updateTable('social_flows')
        .set({ taken_at: atMs })
        .where('state', '=', state)
        .where('returned_at', 'is not', null)
        .where('taken_at', 'is', null)
        .where('expires_at', '>', atMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async purgeFlows(beforeMs: number) {
      await db.deleteFrom('social_flows').where('expires_at', '<', beforeMs).execute();
    },
  };
}

const linkRow = (link: SocialLink) => ({
  provider: link.provider,
  subject: link.subject,
  account_id: link.accountId,
  email: link.email,
  created_at: link.createdAt,
  last_used_at: link.lastUsedAt,
});

function linkQueries(db: Kysely<Database>) {
  return {
    async createAccountWithLink(account: NewAccount, link: SocialLink): Promise<'created' | 'taken'> {
      try {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('accounts')
            .values({
              id: account.id,
              kind: 'customer',
              email: account.email,
              email_verified: 1,
              directory_id: null,
              username: null,
              password_hash: null,
              name: account.name,
              status: 'active',
              created_at: account.createdAt,
              updated_at: account.createdAt,
            })
            .execute();
          await trx.insertInto('social_links').values(linkRow(link)).execute();
        });
        return 'created';
      } catch (err) {
        if (isUniqueViolation(err)) return 'taken';
        throw err;
      }
    },
    async findLink(provider: SocialProviderName, subject: string) {
      const row = await db
        .selectFrom('social_links')
        .selectAll()
        .where('provider', '=', provider)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return row && toLink(row);
    },
    async addLink(link: SocialLink): Promise<'linked' | 'taken'> {
      try {
        await db.insertInto('social_links').values(linkRow(link)).execute();
        return 'linked';
      } catch (err) {
        if (isUniqueViolation(err)) return 'taken';
        throw err;
      }
    },
    async listLinks(accountId: string) {
      const rows = await db
        .selectFrom('social_links')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .execute();
      return rows.map(toLink);
    },
    async removeLink(accountId: string, provider: SocialProviderName, subject: string) {
      const result = await db
        .deleteFrom('social_links')
        .where('account_id', '=', accountId)
        .where('provider', '=', provider)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async touchLink(provider: SocialProviderName, subject: string, atMs: number) {
      await db
        .updateTable('social_links')
        .set({ last_used_at: atMs })
        .where('provider', '=', provider)
        .where('subject', '=', subject)
        .execute();
    },
  };
}

export function createSqlSocialStore(db: Kysely<Database>): SocialStore {
  return { ...flowQueries(db), ...linkQueries(db) };
}
