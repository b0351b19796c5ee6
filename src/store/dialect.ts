import { PostgresAdapter, type Kysely } from 'kysely';

/** Whether `db` talks to PostgreSQL: for the few expressions the two dialects write differently (a collation). */
export const isPostgres = <T>(db: Kysely<T>) => db.getExecutor().adapter instanceof PostgresAdapter;
