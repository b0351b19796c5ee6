// Spending a solution is an insert under a primary key: of two simultaneous uses, one insert fails.
import type { Kysely } from 'kysely';
import { isUniqueViolation, type Database } from '../../store/index.ts';
import type { SpentSolutions } from '../captcha.ts';

export function createSqlSpentSolutions(db: Kysely<Database>): SpentSolutions {
  return {
    async spend(signature, expiresAt) {
      try {
        await db.insertInto('captcha_spent').values({ signature, expires_at: expiresAt }).execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async purge(atMs) {
      await db.deleteFrom('captcha_spent').where('expires_at', '<=', atMs).execute();
    },
  };
}
