/**
 * `@parley/adapter-sql`: Parley's storage port on SQL with Kysely, one codebase for two dialects.
 *
 * ```ts
 * const store = sqliteStore({ filename: './data/parley.db' });                  // embedded, durable
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! }); // production
 * const engine = createChatEngine({ store, config });
 * ```
 */
export type { Database as SqlDatabase, DbBool, DbDate } from './database.js';
export { TABLES as SQL_TABLES } from './database.js';
export {
  isUnavailableError,
  isUniqueViolation,
  type StoreErrorOptions,
  toStoreError,
  uniqueViolationColumns,
} from './errors.js';
export { migrateToLatest, PG_MIGRATION_LOCK_KEY } from './migrate.js';
export {
  type PostgresStoreCommonOptions,
  type PostgresStoreOptions,
  type PostgresStorePoolOptions,
  type PostgresStoreUrlOptions,
  postgresStore,
} from './postgres.js';
export {
  type SqliteStoreCommonOptions,
  type SqliteStoreDatabaseOptions,
  type SqliteStoreFileOptions,
  type SqliteStoreOptions,
  sqliteStore,
} from './sqlite.js';
export type { SqlChatStore } from './store.js';
