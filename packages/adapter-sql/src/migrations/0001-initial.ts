/**
 * The first schema: every table of the port with the unique keys its atomic steps rely on and an
 * index for every query the store makes. Text that is sorted or range-scanned is `collate "C"` on
 * PostgreSQL, so orders (nickname, ids) and prefix ranges are the code-point order SQLite and
 * memoryStore use, whatever the database's default collation.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../codec.js';

// Migrations see an untyped database: the schema of the day, not today's types.
// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

export function initialMigration(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const text = pg ? sql`text collate "C"` : sql`text`;
  const time = pg ? sql`timestamptz` : sql`integer`;
  const bool = pg ? sql`boolean` : sql`integer`;
  const int = sql`integer`;

  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('parley_users')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('password_hash', text, (c) => c.notNull())
        .addColumn('nickname', text, (c) => c.notNull())
        .addColumn('nickname_lower', text, (c) => c.notNull())
        .addColumn('avatar_url', text)
        .addColumn('bio', text)
        .addColumn('email_verified', bool, (c) => c.notNull())
        .addColumn('token_version', int, (c) => c.notNull())
        .addColumn('invite_version', int, (c) => c.notNull())
        .addColumn('last_seen_at', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('parley_users_email_key')
        .on('parley_users')
        .column('email')
        .unique()
        .execute();
      // Prefix search: a range on nickname_lower, then sorted by nickname, id.
      await db.schema
        .createIndex('parley_users_nickname_lower_idx')
        .on('parley_users')
        .columns(['nickname_lower', 'nickname', 'id'])
        .execute();

      await db.schema
        .createTable('parley_one_time_codes')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('purpose', text, (c) => c.notNull())
        .addColumn('code_hash', text, (c) => c.notNull())
        .addColumn('link_token_hash', text)
        .addColumn('attempts', int, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      // One code per user and purpose: putCode replaces through this key.
      await db.schema
        .createIndex('parley_one_time_codes_slot_key')
        .on('parley_one_time_codes')
        .columns(['user_id', 'purpose'])
        .unique()
        .execute();
      await db.schema
        .createIndex('parley_one_time_codes_link_idx')
        .on('parley_one_time_codes')
        .column('link_token_hash')
        .where(sql.ref('link_token_hash'), 'is not', null)
        .execute();

      await db.schema
        .createTable('parley_revoked_tokens')
        .addColumn('jti', text, (c) => c.primaryKey())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('parley_revoked_tokens_expires_idx')
        .on('parley_revoked_tokens')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('parley_friend_requests')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('from_id', text, (c) => c.notNull())
        .addColumn('to_id', text, (c) => c.notNull())
        .addColumn('message', text)
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('responded_at', time)
        .execute();
      // At most one pending request per direction: concurrent creates meet here.
      await db.schema
        .createIndex('parley_friend_requests_pending_key')
        .on('parley_friend_requests')
        .columns(['from_id', 'to_id'])
        .unique()
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('parley_friend_requests_incoming_idx')
        .on('parley_friend_requests')
        .columns(['to_id', 'created_at', 'id'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('parley_friend_requests_outgoing_idx')
        .on('parley_friend_requests')
        .columns(['from_id', 'created_at', 'id'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();

      await db.schema
        .createTable('parley_friendships')
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('friend_id', text, (c) => c.notNull())
        .addColumn('since', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('parley_friendships_pkey', ['user_id', 'friend_id'])
        .execute();
      await db.schema
        .createIndex('parley_friendships_list_idx')
        .on('parley_friendships')
        .columns(['user_id', 'since', 'friend_id'])
        .execute();

      await db.schema
        .createTable('parley_blocks')
        .addColumn('blocker_id', text, (c) => c.notNull())
        .addColumn('blocked_id', text, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('parley_blocks_pkey', ['blocker_id', 'blocked_id'])
        .execute();
      await db.schema
        .createIndex('parley_blocks_list_idx')
        .on('parley_blocks')
        .columns(['blocker_id', 'created_at', 'blocked_id'])
        .execute();
      // The other direction of filterBlockedEither / getRelation.
      await db.schema
        .createIndex('parley_blocks_blocked_idx')
        .on('parley_blocks')
        .columns(['blocked_id', 'blocker_id'])
        .execute();

      await db.schema
        .createTable('parley_conversations')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('type', text, (c) => c.notNull())
        .addColumn('member_ids', text, (c) => c.notNull())
        .addColumn('group_id', text)
        .addColumn('last_seq', int, (c) => c.notNull())
        .addColumn('last_message_at', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('parley_messages')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('conversation_id', text, (c) => c.notNull())
        .addColumn('type', text, (c) => c.notNull())
        .addColumn('sender_id', text, (c) => c.notNull())
        .addColumn('receiver_id', text)
        .addColumn('group_id', text)
        .addColumn('content', text, (c) => c.notNull())
        .addColumn('content_type', text, (c) => c.notNull())
        .addColumn('mentions', text, (c) => c.notNull())
        .addColumn('mention_all', bool, (c) => c.notNull())
        .addColumn('reply_to', text)
        .addColumn('client_msg_id', text)
        .addColumn('seq', int, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('recalled_at', time)
        .addColumn('recalled_by', text)
        .execute();
      // History pages, and the guarantee that no seq is ever given twice.
      await db.schema
        .createIndex('parley_messages_history_key')
        .on('parley_messages')
        .columns(['conversation_id', 'seq'])
        .unique()
        .execute();
      // clientMsgId idempotency: one message per sender and client id.
      await db.schema
        .createIndex('parley_messages_client_msg_key')
        .on('parley_messages')
        .columns(['sender_id', 'client_msg_id'])
        .unique()
        .where(sql.ref('client_msg_id'), 'is not', null)
        .execute();
      // The roaming window: the first seq created at or after a time.
      await db.schema
        .createIndex('parley_messages_window_idx')
        .on('parley_messages')
        .columns(['conversation_id', 'created_at', 'seq'])
        .execute();

      await db.schema
        .createTable('parley_hidden_messages')
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('message_id', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('parley_hidden_messages_pkey', ['user_id', 'message_id'])
        .execute();

      await db.schema
        .createTable('parley_cursors')
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('conversation_id', text, (c) => c.notNull())
        .addColumn('read_seq', int, (c) => c.notNull())
        .addColumn('delivered_seq', int, (c) => c.notNull())
        .addColumn('last_mention_seq', int, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        // Serves listReaders in user id order as well as the point lookups.
        .addPrimaryKeyConstraint('parley_cursors_pkey', ['conversation_id', 'user_id'])
        .execute();
      await db.schema.createIndex('parley_cursors_user_idx').on('parley_cursors').column('user_id').execute();

      await db.schema
        .createTable('parley_groups')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('avatar_url', text)
        .addColumn('owner_id', text, (c) => c.notNull())
        .addColumn('announcement', text)
        .addColumn('join_policy', text, (c) => c.notNull())
        .addColumn('mute_all', bool, (c) => c.notNull())
        .addColumn('max_members', int, (c) => c.notNull())
        .addColumn('member_count', int, (c) => c.notNull())
        .addColumn('invite_version', int, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('dissolved_at', time)
        .execute();

      await db.schema
        .createTable('parley_group_members')
        .addColumn('group_id', text, (c) => c.notNull())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('role', text, (c) => c.notNull())
        .addColumn('role_rank', int, (c) => c.notNull())
        .addColumn('muted_until', time)
        .addColumn('joined_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('parley_group_members_pkey', ['group_id', 'user_id'])
        .execute();
      // listMembers: role (owner, admins, members), then join time, then user id.
      await db.schema
        .createIndex('parley_group_members_order_idx')
        .on('parley_group_members')
        .columns(['group_id', 'role_rank', 'joined_at', 'user_id'])
        .execute();
      await db.schema
        .createIndex('parley_group_members_user_idx')
        .on('parley_group_members')
        .column('user_id')
        .execute();

      await db.schema
        .createTable('parley_join_requests')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('group_id', text, (c) => c.notNull())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('message', text)
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('resolved_at', time)
        .addColumn('resolved_by', text)
        .execute();
      await db.schema
        .createIndex('parley_join_requests_pending_key')
        .on('parley_join_requests')
        .columns(['group_id', 'user_id'])
        .unique()
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('parley_join_requests_pending_idx')
        .on('parley_join_requests')
        .columns(['group_id', 'created_at', 'id'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
    },

    async down(db: AnyDb) {
      for (const table of [
        'parley_join_requests',
        'parley_group_members',
        'parley_groups',
        'parley_cursors',
        'parley_hidden_messages',
        'parley_messages',
        'parley_conversations',
        'parley_blocks',
        'parley_friendships',
        'parley_friend_requests',
        'parley_revoked_tokens',
        'parley_one_time_codes',
        'parley_users',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
