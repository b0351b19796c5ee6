import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { Clock } from '../../clock/index.ts';
import type { ChallengeStates } from '../vpn-login.ts';

const digest = (state: Buffer) => createHash('sha256').update(state).digest('hex');

export function createSqlChallengeStates(db: Kysely<Database>, clock: Clock, ttlSeconds: number): ChallengeStates {
  return {
    async create(accountId, client, userName) {
      // 256 random bits written as base64url text: some NAS keep State as a C string and cut it at the first zero
      // octet (ocserv 1.1 with radcli), which raw random bytes contain one time in eight.
      const state = Buffer.from(randomBytes(32).toString('base64url'));
      await db.insertInto('radius_states').values({ state_hash: digest(state), account_id: accountId, client, user_name: userName, expires_at: clock.now() + ttlSeconds * 1000, used_at: null }).execute();
      return state;
    },
    async consume(state, client, userName) {
      const now = clock.now();
      const row = await db.selectFrom('radius_states').selectAll().where('state_hash', '=', digest(state)).executeTakeFirst();
      // Bound to the NAS and the user it was made for; spent by the first answer, right or wrong.
      if (!row || row.client !== client || row.user_name !== userName) return undefined;
      const spent = await db.updateTable('radius_states').set({ used_at: now })
        .where('state_hash', '=', row.state_hash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      return Number(spent.numUpdatedRows) === 1 ? row.account_id : undefined;
    },
    async purge() {
      await db.deleteFrom('radius_states').where('expires_at', '<', clock.now()).execute();
    },
  };
}
