/**
 * Brings the schema to the latest version with Kysely's Migrator, safely from any number of
 * processes at once:
 * - PostgreSQL: a session-level advisory lock (key {@link PG_MIGRATION_LOCK_KEY}) held on one
 *   connection around the whole run, so a second node waits and then finds nothing left to do.
 *   Kysely's own lock and transaction run inside it, on the same connection (so a pool of one
 *   connection is enough).
 * - SQLite: the run is one `BEGIN IMMEDIATE` transaction, the database's single writer lock; a
 *   second process waits for it (busy_timeout) and then finds every version applied.
 *
 * Versions are applied by name, not by position: one that lands after a later-numbered one was
 * applied (two versions written at once, merged in either order) still runs, after it, instead of
 * being skipped or failing Kysely's order check. Versions that could land that way must not depend
 * on each other.
 */
import { type Kysely, Migrator, sql } from 'kysely';
import type { DialectName } from './codec.js';
import type { Database } from './database.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationsFor } from './migrations/index.js';

/** The advisory lock key of Parley's migrations (an arbitrary, stable 64-bit integer). */
export const PG_MIGRATION_LOCK_KEY = 7_208_371_115_905_331n;

function migratorOn(db: Kysely<Database>, dialect: DialectName): Migrator {
  const migrations = migrationsFor(dialect);
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    allowUnorderedMigrations: true,
  });
}

async function run(migrator: Migrator): Promise<string[]> {
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Whether every migration is recorded already: one indexed read, so a restart (or every store of
 * a test run) does not take the lock when there is nothing to do. Every name is checked, not only
 * the newest, since a version may land after a later-numbered one (see above).
 */
async function upToDate(db: Kysely<Database>, dialect: DialectName): Promise<boolean> {
  const names = Object.keys(migrationsFor(dialect));
  if (names.length === 0) return true;
  try {
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(MIGRATION_TABLE)} where name in (${sql.join(names)})`.execute(
      db,
    );
    return Number(rows[0]?.n) === names.length;
  } catch {
    // No migration table yet: a first start.
    return false;
  }
}

/** Applies every pending migration; answers the names applied by this call (empty when none). */
export async function migrateToLatest(db: Kysely<Database>, dialect: DialectName): Promise<string[]> {
  if (await upToDate(db, dialect)) return [];
  if (dialect === 'postgres') {
    return db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${sql.lit(PG_MIGRATION_LOCK_KEY.toString())}::bigint)`.execute(conn);
      try {
        return await run(migratorOn(conn, dialect));
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(PG_MIGRATION_LOCK_KEY.toString())}::bigint)`.execute(
          conn,
        );
      }
    });
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const applied = await run(migratorOn(conn, dialect));
      await sql`commit`.execute(conn);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
  });
}
