/**
 * `sqliteStore`: the port on an embedded SQLite file through better-sqlite3. Its own database is
 * opened on first use in WAL mode with a busy timeout; every transaction is `BEGIN IMMEDIATE`, so
 * two processes on one file queue for the writer lock instead of failing mid-transaction; and
 * statements are prepared once and reused. The methods of a 1:1 send and its receipt skip Kysely
 * for prepared statements run synchronously (`sqlite-hot-path.ts`), behind the same lock on the
 * connection as Kysely's queries (`sqlite-driver.ts`).
 */

import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { Kysely } from 'kysely';
import type { Database } from './database.js';
import {
  DEFAULT_AUTOCHECKPOINT_PAGES,
  FALLBACK_AUTOCHECKPOINT_PAGES,
  type SqliteCheckpointer,
  startSqliteCheckpointer,
} from './sqlite-checkpointer.js';
import { GatedSqliteDialect } from './sqlite-driver.js';
import { SqliteHotPath } from './sqlite-hot-path.js';
import { createSqlStore, type SqlChatStore } from './store.js';

/** Options shared by both ways of opening. */
export interface SqliteStoreCommonOptions {
  /**
   * Create or upgrade the schema (Kysely migrations) on first use. Turn off only when migrations
   * run elsewhere: uniqueness, idempotency and capacity rely on the schema's keys.
   * @default true
   */
  migrate?: boolean;
  /**
   * How long `ping()` waits before rejecting with STORE_UNAVAILABLE.
   * @default 2000
   */
  pingTimeoutMs?: number;
}

/** Open a file: the store opens it on first use and `close()` closes it. */
export interface SqliteStoreFileOptions extends SqliteStoreCommonOptions {
  /** Path of the database file (its directory must exist), or `':memory:'`. */
  filename: string;
  /**
   * How long a write waits for another process's lock before failing with STORE_UNAVAILABLE.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * `PRAGMA synchronous`. In WAL mode `'normal'` survives any crash of the process (SIGKILL
   * included) and may lose the last commits only on power loss; `'full'` also survives power
   * loss at the cost of an fsync per commit on the event loop.
   * @default 'normal'
   */
  synchronous?: 'normal' | 'full';
  /**
   * Checkpoint the WAL on a worker thread (its own connection, `PRAGMA wal_checkpoint(PASSIVE)`
   * every 100 ms) instead of inside the commits of the event loop; see sqlite-checkpointer.ts.
   * Files only (not `':memory:'`).
   * @default true
   */
  backgroundCheckpoints?: boolean;
  database?: never;
}

/** Use a better-sqlite3 database the host already has; the store never closes it nor sets pragmas. */
export interface SqliteStoreDatabaseOptions extends SqliteStoreCommonOptions {
  database: SqliteDatabase;
  filename?: never;
  busyTimeoutMs?: never;
  synchronous?: never;
  backgroundCheckpoints?: never;
}

/** Options of {@link sqliteStore}. */
export type SqliteStoreOptions = SqliteStoreFileOptions | SqliteStoreDatabaseOptions;

/** How many distinct statements stay prepared; past it the cache starts over. */
const STATEMENT_CACHE_SIZE = 500;

/** better-sqlite3's database, as far as this module uses it. */
interface BetterSqliteDatabase extends SqliteDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/** Prepares each distinct SQL text once: Kysely asks for a statement on every query. */
function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(source: string) {
      let statement = cache.get(source);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = database.prepare(source);
        cache.set(source, statement);
      }
      return statement;
    },
  };
}

/** Opens the store's own file; with a file in WAL mode, starts its checkpoint worker too. */
async function openFile(
  options: SqliteStoreFileOptions,
): Promise<{ database: SqliteDatabase; checkpointer: SqliteCheckpointer | null }> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const database = new BetterSqlite3(options.filename) as unknown as BetterSqliteDatabase;
  const onDisk = options.filename !== ':memory:' && options.filename !== '';
  try {
    database.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (onDisk) database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // The schema declares no foreign keys: the core owns references, as with every store.
    database.pragma('foreign_keys = OFF');
  } catch (error) {
    database.close();
    throw error;
  }
  if (!onDisk || options.backgroundCheckpoints === false) return { database, checkpointer: null };
  // The worker checkpoints; the commits of this connection only would past a threshold it never
  // lets the WAL reach, and again at SQLite's default should the worker fail.
  database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = startSqliteCheckpointer(options.filename, () => {
    try {
      database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // the database is closing: nothing left to checkpoint for
    }
  });
  return { database, checkpointer };
}

/**
 * Creates the SQLite store. Nothing is opened until the first call.
 *
 * ```ts
 * const store = sqliteStore({ filename: './data/parley.db' });   // own file, opened lazily
 * const store = sqliteStore({ database: new Database('app.db') }); // the host's database, left open
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): SqlChatStore {
  const own = options.database === undefined;
  const fileOptions = options as SqliteStoreFileOptions;
  let checkpointer: SqliteCheckpointer | null = null;
  const dialect = new GatedSqliteDialect({
    open: own
      ? async () => {
          const opened = await openFile(fileOptions);
          checkpointer = opened.checkpointer;
          return opened.database;
        }
      : () => options.database as SqliteDatabase,
    wrap: withStatementCache,
  });
  const db = new Kysely<Database>({ dialect });
  return createSqlStore({
    name: 'sqlite',
    dialect: 'sqlite',
    db,
    persistent: own ? fileOptions.filename !== ':memory:' && fileOptions.filename !== '' : true,
    migrate: options.migrate ?? true,
    pingTimeoutMs: options.pingTimeoutMs ?? 2000,
    release: async () => {
      // The worker's connection first, then ours (a file never opened stays unopened).
      await checkpointer?.stop();
      if (own) await db.destroy();
    },
    // The dialect switch of the hot path: SQLite runs the 1:1 send and receipt methods as
    // prepared better-sqlite3 statements, through the gate of the driver that owns the connection
    // (see sqlite-driver.ts and sqlite-hot-path.ts). A database that is not better-sqlite3's
    // keeps every method on Kysely.
    sqliteHotPath: async () => {
      // Taking the connection once opens the database when migrations did not (migrate: false).
      await db.connection().execute(async () => {});
      const database = dialect.betterSqlite3();
      return database ? new SqliteHotPath(database, dialect.driver.gate) : undefined;
    },
  });
}
