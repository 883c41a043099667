/**
 * Kysely's SQLite driver, made to share its single better-sqlite3 connection with the store's
 * synchronous hot path (`sqlite-hot-path.ts`).
 *
 * Kysely's `SqliteDriver` serialises its users with a private mutex: a Kysely transaction holds
 * the connection from `begin` to `commit` and may await between its statements. A statement run
 * straight on the better-sqlite3 database at such a moment would land inside that transaction
 * (and its rollback would take an acknowledged message with it). So the driver here replaces
 * the lock with a {@link ConnectionGate} that both sides use: Kysely acquires it for every
 * connection it takes, and the hot path runs its synchronous work only while nobody holds it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { DatabaseConnection, SqliteDatabase, SqliteDialectConfig } from 'kysely';
import { CompiledQuery, SqliteDialect, SqliteDriver } from 'kysely';

/**
 * A FIFO lock over the one connection. Kysely takes it asynchronously ({@link lock} /
 * {@link unlock}); synchronous work ({@link run}) runs at once when it is free, since nothing can
 * interleave with code that never yields, and otherwise queues behind the holders like anyone.
 */
export class ConnectionGate {
  #held = false;
  // Invariant: the queue is empty whenever the gate is free (unlock hands over to the next one).
  readonly #waiting: (() => void)[] = [];

  /** Resolves once the caller holds the gate; it must call {@link unlock} exactly once after. */
  lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }

  /**
   * Runs `work`, which must be synchronous (it must never await), with the connection to itself:
   * at once when the gate is free, else after the holders before it.
   */
  run<T>(work: () => T): Promise<T> {
    if (!this.#held) {
      try {
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.lock().then(() => {
      try {
        return work();
      } finally {
        this.unlock();
      }
    });
  }
}

/**
 * `SqliteDriver` with every transaction `BEGIN IMMEDIATE` and the connection taken through a
 * {@link ConnectionGate}. The base class's own mutex still runs inside, always free by then.
 */
export class GatedSqliteDriver extends SqliteDriver {
  readonly gate = new ConnectionGate();

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.gate.lock();
    try {
      return await super.acquireConnection();
    } catch (error) {
      this.gate.unlock();
      throw error;
    }
  }

  override async releaseConnection(): Promise<void> {
    try {
      await super.releaseConnection();
    } finally {
      this.gate.unlock();
    }
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // The writer lock is taken at BEGIN, where busy_timeout applies, never half-way through.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Options of {@link GatedSqliteDialect}. */
export interface GatedSqliteDialectConfig extends Omit<SqliteDialectConfig, 'database'> {
  /** Opens (or hands over) the better-sqlite3 database; called once, on Kysely's first query. */
  open: () => SqliteDatabase | Promise<SqliteDatabase>;
  /** What Kysely runs its queries on (e.g. a statement cache over the database). */
  wrap: (database: SqliteDatabase) => SqliteDatabase;
}

/** `SqliteDialect` over one {@link GatedSqliteDriver}, which keeps the database it opened. */
export class GatedSqliteDialect extends SqliteDialect {
  readonly driver: GatedSqliteDriver;
  /** Filled by the open (a holder: `this` does not exist yet where the opener is made). */
  readonly #opened: { database?: SqliteDatabase };

  constructor(config: GatedSqliteDialectConfig) {
    const { open, wrap, ...rest } = config;
    const opened: { database?: SqliteDatabase } = {};
    const settings: SqliteDialectConfig = {
      ...rest,
      database: async () => {
        opened.database = await open();
        return wrap(opened.database);
      },
    };
    super(settings);
    this.#opened = opened;
    this.driver = new GatedSqliteDriver(settings);
  }

  /** The one driver: every Kysely instance made from this dialect shares its connection and gate. */
  override createDriver(): GatedSqliteDriver {
    return this.driver;
  }

  /**
   * The database once Kysely has opened it, when it is better-sqlite3's (the hot path needs its
   * `transaction()` and `inTransaction`); undefined before the open or for another implementation.
   */
  betterSqlite3(): BetterSqlite3.Database | undefined {
    const database = this.#opened.database as Partial<BetterSqlite3.Database> | undefined;
    return typeof database?.transaction === 'function' && typeof database.inTransaction === 'boolean'
      ? (database as BetterSqlite3.Database)
      : undefined;
  }
}
