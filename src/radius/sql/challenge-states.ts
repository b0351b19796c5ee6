import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, RadiusStatesTable } from '../../store/index.ts';
import type { Clock } from '../../clock/index.ts';
import type { Challenge, ChallengeStates } from '../vpn-login.ts';

const digest = (state: Buffer) => createHash('sha256').update(state).digest('hex');

const challengeOf = (row: Selectable<RadiusStatesTable>): Challenge => ({
  accountId: row.account_id,
  client: row.client,
  userName: row.user_name,
  source: row.source,
  steps: JSON.parse(row.steps),
  createdAt: row.created_at,
});

export function createSqlChallengeStates(db: Kysely<Database>, clock: Clock, ttlSeconds: number): ChallengeStates {
  return {
    async create({ accountId, client, userName, source, steps }) {
      // 256 random bits written as base64url text: some NAS keep State as a C string and cut it at the first zero
      // octet (ocserv 1.1 with radcli), which raw random bytes contain one time in eight.
      const state = Buffer.from(randomBytes(32).toString('base64url'));
      const now = clock.now();
      await db
        .insertInto('radius_states')
        .values({
          state_hash: digest(state),
          account_id: accountId,
          client,
          user_name: userName,
          expires_at: now + ttlSeconds * 1000,
          used_at: null,
          steps: JSON.stringify(steps),
          source,
          created_at: now,
        })
        .execute();
      return state;
    },
    async consume(state, client, userName) {
      const now = clock.now();
      const row = await db
        .selectFrom('radius_states')
        .selectAll()
        .where('state_hash', '=', digest(state))
        .executeTakeFirst();
      // Bound to the NAS and the user it was made for; spent by the first answer, right, wrong or late: a late one is
      // an answer too, and must not be reported as never answered when the State is purged.
      if (!row || row.client !== client || row.user_name !== userName) return undefined;
      const spent = await db
        .updateTable('radius_states')
        .set({ used_at: now })
        .where('state_hash', '=', row.state_hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1) return undefined;
      return { ...challengeOf(row), late: row.expires_at <= now };
    },
    async purge() {
      // One statement deletes and returns: of nodes purging at the same time, each State is returned to one only, so
      // an unanswered challenge is recorded once.
      const expired = await db
        .deleteFrom('radius_states')
        .where('expires_at', '<', clock.now())
        .returningAll()
        .execute();
      return expired.filter((row) => row.used_at === null).map(challengeOf);
    },
  };
}
