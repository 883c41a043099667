/**
 * Integrations: privacy settings, signed-in sessions, Web Push subscriptions and the durable
 * delivery outbox.
 *
 * - `parley_users`: four privacy booleans, `not null default true` (1 on SQLite), so users stored
 *   before this version read back as `DEFAULT_PRIVACY` without a backfill.
 * - `parley_sessions`, keyed by the token's jti: a user's sessions by (user_id, last_seen_at), and
 *   expires_at for the purge of expired ones.
 * - `parley_push_subscriptions`: a unique endpoint (upserts meet on it) and a user's
 *   subscriptions by (user_id, created_at, id).
 * - `parley_outbox`: the claim's order (due_at, id) over the entries that have not failed, a
 *   partial index on both dialects. `payload` is plain `text` (no collation), kept as given.
 *
 * It touches only `parley_users` and its own new tables, so it runs the same before or after any
 * other version that does not (such as a change to message search).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../codec.js';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

/** The privacy columns of `parley_users`, in `PrivacySettings` order. */
const PRIVACY_COLUMNS = ['show_last_seen', 'show_online', 'send_read_receipts', 'push_previews'] as const;

export function integrationsMigration(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const text = pg ? sql`text collate "C"` : sql`text`;
  const time = pg ? sql`timestamptz` : sql`integer`;
  const bool = pg ? sql`boolean` : sql`integer`;
  const int = sql`integer`;

  return {
    async up(db: AnyDb) {
      for (const column of PRIVACY_COLUMNS) {
        await db.schema
          .alterTable('parley_users')
          .addColumn(column, bool, (c) => c.notNull().defaultTo(pg ? true : 1))
          .execute();
      }

      await db.schema
        .createTable('parley_sessions')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('user_agent', sql`text`)
        .addColumn('ip', sql`text`)
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('last_seen_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
      // listByUser, deleteAllOfUser: a user's sessions, most recently seen first.
      await db.schema
        .createIndex('parley_sessions_user_idx')
        .on('parley_sessions')
        .columns(['user_id', 'last_seen_at'])
        .execute();
      await db.schema
        .createIndex('parley_sessions_expires_idx')
        .on('parley_sessions')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('parley_push_subscriptions')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('endpoint', text, (c) => c.notNull())
        .addColumn('p256dh', text, (c) => c.notNull())
        .addColumn('auth', text, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      // One row per browser endpoint: upsert replaces through this key.
      await db.schema
        .createIndex('parley_push_subscriptions_endpoint_key')
        .on('parley_push_subscriptions')
        .column('endpoint')
        .unique()
        .execute();
      await db.schema
        .createIndex('parley_push_subscriptions_user_idx')
        .on('parley_push_subscriptions')
        .columns(['user_id', 'created_at', 'id'])
        .execute();

      await db.schema
        .createTable('parley_outbox')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('target', sql`text`, (c) => c.notNull())
        .addColumn('payload', sql`text`, (c) => c.notNull())
        .addColumn('attempts', int, (c) => c.notNull())
        .addColumn('due_at', time, (c) => c.notNull())
        .addColumn('lease_until', time)
        .addColumn('last_error', sql`text`)
        .addColumn('failed_at', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      // claimDue: the due entries in (due_at, id) order; failed entries are never claimed again.
      await db.schema
        .createIndex('parley_outbox_due_idx')
        .on('parley_outbox')
        .columns(['due_at', 'id'])
        .where(sql.ref('failed_at'), 'is', null)
        .execute();
    },

    async down(db: AnyDb) {
      for (const table of ['parley_outbox', 'parley_push_subscriptions', 'parley_sessions']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
      for (const column of PRIVACY_COLUMNS) {
        await db.schema.alterTable('parley_users').dropColumn(column).execute();
      }
    },
  };
}
