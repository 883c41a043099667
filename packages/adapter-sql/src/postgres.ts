/**
 * `postgresStore`: the port on PostgreSQL through `pg`. Its own pool is created on first use and
 * sized by `poolSize`; a pool the host passes is used as is and never ended.
 */
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type { Database } from './database.js';
import { createSqlStore, type SqlChatStore } from './store.js';

/** Options shared by both ways of connecting. */
export interface PostgresStoreCommonOptions {
  /**
   * Create or upgrade the schema (Kysely migrations, under an advisory lock) on first use. Turn
   * off only when migrations run elsewhere: uniqueness, idempotency and capacity rely on its keys.
   * @default true
   */
  migrate?: boolean;
  /**
   * How long `ping()` waits before rejecting with STORE_UNAVAILABLE.
   * @default 2000
   */
  pingTimeoutMs?: number;
}

/** Connect with a URL: the store creates its own pool on first use and `close()` ends it. */
export interface PostgresStoreUrlOptions extends PostgresStoreCommonOptions {
  /** A connection string, e.g. `postgres://user:pass@host:5432/parley?sslmode=require`. */
  connectionString: string;
  /**
   * Connections in the pool (`max` of pg's Pool).
   * @default 10
   */
  poolSize?: number;
  /**
   * How long a query waits for a connection (new or from the pool) before failing with
   * STORE_UNAVAILABLE, so a lost database fails fast instead of hanging.
   * @default 5000
   */
  connectionTimeoutMs?: number;
  pool?: never;
}

/** Use a `pg` Pool the host already has; the store never ends it. */
export interface PostgresStorePoolOptions extends PostgresStoreCommonOptions {
  pool: PostgresPool;
  connectionString?: never;
  poolSize?: never;
  connectionTimeoutMs?: never;
}

/** Options of {@link postgresStore}. */
export type PostgresStoreOptions = PostgresStoreUrlOptions | PostgresStorePoolOptions;

async function openPool(options: PostgresStoreUrlOptions): Promise<PostgresPool> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
  });
  // An idle client that loses its server emits 'error' on the pool; queries report the outage,
  // an unhandled event must not crash the process.
  pool.on('error', () => {});
  return pool as unknown as PostgresPool;
}

/**
 * Creates the PostgreSQL store. Nothing is opened until the first call.
 *
 * ```ts
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL!, poolSize: 20 });
 * const store = postgresStore({ pool });   // the host's pg.Pool, left open by close()
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): SqlChatStore {
  const own = options.pool === undefined;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: own ? () => openPool(options as PostgresStoreUrlOptions) : (options.pool as PostgresPool),
    }),
  });
  return createSqlStore({
    name: 'postgres',
    dialect: 'postgres',
    db,
    persistent: true,
    migrate: options.migrate ?? true,
    pingTimeoutMs: options.pingTimeoutMs ?? 2000,
    release: async () => {
      // Kysely's destroy ends the pool: only ever for a pool the store created.
      if (own) await db.destroy();
    },
  });
}
