/**
 * Version 0005: a push subscription remembers the session that made it (`session_id`, null for
 * older rows and for subscriptions made outside a session), so ending that session deletes it: a
 * browser signed out from elsewhere is not told of the user's messages any more.
 *
 * It touches only `parley_push_subscriptions`, so it runs the same before or after any version
 * that does not.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../codec.js';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export function pushSessionsMigration(dialect: DialectName): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('parley_push_subscriptions').addColumn('session_id', text).execute();
      // deleteBySession: the subscriptions of an ended session.
      await db.schema
        .createIndex('parley_push_subscriptions_session_idx')
        .on('parley_push_subscriptions')
        .column('session_id')
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropIndex('parley_push_subscriptions_session_idx').execute();
      await db.schema.alterTable('parley_push_subscriptions').dropColumn('session_id').execute();
    },
  };
}
