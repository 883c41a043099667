/**
 * The schema's versions, in order. A migration, once released, never changes: a new version of
 * the schema is a new entry here. Names sort in the order they run on a new database; numbers need
 * not be contiguous, and a version that lands after a later-numbered one was applied still runs
 * (see migrate.ts), so work on two versions at once needs no renumbering.
 */
import type { Migration } from 'kysely';
import type { DialectName } from '../codec.js';
import { initialMigration } from './0001-initial.js';
import { messageChangesMigration } from './0002-message-changes.js';
import { searchOrderMigration } from './0003-search-order.js';
import { integrationsMigration } from './0004-integrations.js';
import { pushSessionsMigration } from './0005-push-sessions.js';

export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(dialect),
    '0002_message_changes': messageChangesMigration(dialect),
    '0003_search_order': searchOrderMigration(dialect),
    '0004_integrations': integrationsMigration(dialect),
    '0005_push_sessions': pushSessionsMigration(dialect),
  };
}

/** The table Kysely's Migrator records applied versions in (its lock table gets `_lock`). */
export const MIGRATION_TABLE = 'parley_migrations';
export const MIGRATION_LOCK_TABLE = 'parley_migrations_lock';
