export {
  openStore,
  isDatabaseBusy,
  operatorLockWaitMs,
  isUniqueViolation,
  postgresConnection,
  sharedDatabaseName,
  StoreError,
  type Store,
  type Dialect,
} from './database.ts';
export { isPostgres } from './dialect.ts';
export { prepared, preparedBySize, PreparedQueryError, type PreparedQuery } from './prepared.ts';
export { createSealer, SealingError, type Sealer } from './sealing.ts';
export type * from './schema.ts';
