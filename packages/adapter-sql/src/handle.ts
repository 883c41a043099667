/** What every area of the store runs against once the database is ready (migrated). */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Codec } from './codec.js';
import type { Database } from './database.js';
import type { SqliteHotPath } from './sqlite-hot-path.js';

export interface SqlHandle {
  db: Kysely<Database>;
  codec: Codec;
  /**
   * SQLite over better-sqlite3 only: the prepared, synchronous statements of the 1:1 send and
   * receipt path (see `sqlite-hot-path.ts`). The methods it covers use it when present and their
   * Kysely queries otherwise (PostgreSQL, or a database that is not better-sqlite3's).
   */
  sqlite?: SqliteHotPath;
}

/** Opens (on first call) and migrates the database; rejects with STORE_UNAVAILABLE when down. */
export type Ready = () => Promise<SqlHandle>;

/**
 * Locks the selected rows until the transaction ends on PostgreSQL (`FOR UPDATE`); SQLite needs
 * nothing, its transactions take the single writer lock at `BEGIN IMMEDIATE`.
 */
export function forUpdate<DB, TB extends keyof DB, O>(
  codec: Codec,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return codec.dialect === 'postgres' ? query.forUpdate() : query;
}

/** The patch without its `undefined` entries, so an update only touches the fields it names. */
export function definedEntries<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
