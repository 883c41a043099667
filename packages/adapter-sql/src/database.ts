import type { ColumnType, Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Column names are snake_case; times are `timestamptz` on
 * PostgreSQL and integer milliseconds on SQLite, booleans `boolean` and 0/1, lists JSON text (see
 * `codec.ts`), so the types below say what either dialect hands back.
 */
/** A stored time: a Date from PostgreSQL, milliseconds since the epoch from SQLite. */
export type DbDate = Date | number;
/** A stored boolean: a boolean from PostgreSQL, 0 or 1 from SQLite. */
export type DbBool = boolean | number;

/** A column with a default in the schema: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  nickname: string;
  /** `nickname.toLowerCase()`, indexed for the case-insensitive prefix search. */
  nickname_lower: string;
  avatar_url: string | null;
  bio: string | null;
  email_verified: DbBool;
  token_version: number;
  invite_version: number;
  last_seen_at: DbDate | null;
  /** `PrivacySettings`, one column each; true for users stored before they existed. */
  show_last_seen: Defaulted<DbBool>;
  show_online: Defaulted<DbBool>;
  send_read_receipts: Defaulted<DbBool>;
  push_previews: Defaulted<DbBool>;
  created_at: DbDate;
  updated_at: DbDate;
}

export interface OneTimeCodesTable {
  id: string;
  user_id: string;
  purpose: string;
  code_hash: string;
  link_token_hash: string | null;
  attempts: number;
  expires_at: DbDate;
  created_at: DbDate;
}

export interface RevokedTokensTable {
  jti: string;
  expires_at: DbDate;
}

export interface FriendRequestsTable {
  id: string;
  from_id: string;
  to_id: string;
  message: string | null;
  status: string;
  created_at: DbDate;
  responded_at: DbDate | null;
}

export interface FriendshipsTable {
  user_id: string;
  friend_id: string;
  since: DbDate;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: DbDate;
}

export interface ConversationsTable {
  id: string;
  type: string;
  /** JSON array of the two user ids of a private conversation; `[]` for a group. */
  member_ids: string;
  group_id: string | null;
  last_seq: number;
  /** The change counter (see `ConversationRecord.lastVersion`). */
  last_version: Defaulted<number>;
  last_message_at: DbDate | null;
  created_at: DbDate;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  type: string;
  sender_id: string;
  receiver_id: string | null;
  group_id: string | null;
  content: string;
  content_type: string;
  /** JSON array of user ids. */
  mentions: string;
  mention_all: DbBool;
  reply_to: string | null;
  client_msg_id: string | null;
  seq: number;
  created_at: DbDate;
  recalled_at: DbDate | null;
  recalled_by: string | null;
  edited_at: Defaulted<DbDate | null>;
  version: Defaulted<number>;
  reply_count: Defaulted<number>;
  pinned_at: Defaulted<DbDate | null>;
  pinned_by: Defaulted<string | null>;
  /** PostgreSQL only: the search tokens (`text[]`, GIN-indexed); `{}` when none or recalled. */
  search_tokens: Defaulted<string[]>;
  /**
   * SQLite only: the message's key in the FTS5 index `parley_message_search` (a stable integer,
   * unlike the implicit rowid, which VACUUM may renumber), in time order since migration 0003:
   * `created_at` × 2^20 plus its place in the millisecond (see `search.ts`). Past 2^53: never
   * read into JS.
   */
  search_key: Defaulted<number | null>;
  /**
   * SQLite only: the search tokens as the FTS5 table indexes them (each token's UTF-8 bytes in
   * hex, space-joined; see `search.ts`); triggers keep the index in step with this column.
   */
  search_text: Defaulted<string | null>;
}

export interface ReactionsTable {
  /** The ordering column: increasing in the order reactions were stored. */
  id: Generated<number>;
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: DbDate;
}

export interface HiddenMessagesTable {
  user_id: string;
  message_id: string;
}

export interface CursorsTable {
  user_id: string;
  conversation_id: string;
  read_seq: number;
  delivered_seq: number;
  last_mention_seq: number;
  updated_at: DbDate;
}

export interface GroupsTable {
  id: string;
  name: string;
  avatar_url: string | null;
  owner_id: string;
  /** JSON `{ text, updatedAt (ms), updatedBy }` or null. */
  announcement: string | null;
  join_policy: string;
  mute_all: DbBool;
  max_members: number;
  member_count: number;
  invite_version: number;
  created_at: DbDate;
  updated_at: DbDate;
  dissolved_at: DbDate | null;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  role: string;
  /** 0 owner, 1 admin, 2 member: the first key of the members order. */
  role_rank: number;
  muted_until: DbDate | null;
  joined_at: DbDate;
}

export interface JoinRequestsTable {
  id: string;
  group_id: string;
  user_id: string;
  message: string | null;
  status: string;
  created_at: DbDate;
  resolved_at: DbDate | null;
  resolved_by: string | null;
}

export interface SessionsTable {
  /** The token's jti. */
  id: string;
  user_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: DbDate;
  last_seen_at: DbDate;
  expires_at: DbDate;
}

export interface PushSubscriptionsTable {
  id: string;
  user_id: string;
  /** Unique: one row per browser endpoint. */
  endpoint: string;
  p256dh: string;
  auth: string;
  /** The subscribing session's token id; null for older rows and sessionless subscriptions. */
  session_id: string | null;
  created_at: DbDate;
}

export interface OutboxTable {
  id: string;
  kind: string;
  target: string;
  /** The JSON text to deliver, exactly as enqueued (never parsed by the store). */
  payload: string;
  attempts: number;
  due_at: DbDate;
  lease_until: DbDate | null;
  last_error: string | null;
  failed_at: DbDate | null;
  created_at: DbDate;
}

/** Every table of the store, named as in the database. */
export interface Database {
  parley_users: UsersTable;
  parley_one_time_codes: OneTimeCodesTable;
  parley_revoked_tokens: RevokedTokensTable;
  parley_friend_requests: FriendRequestsTable;
  parley_friendships: FriendshipsTable;
  parley_blocks: BlocksTable;
  parley_conversations: ConversationsTable;
  parley_messages: MessagesTable;
  parley_hidden_messages: HiddenMessagesTable;
  parley_reactions: ReactionsTable;
  parley_cursors: CursorsTable;
  parley_groups: GroupsTable;
  parley_group_members: GroupMembersTable;
  parley_join_requests: JoinRequestsTable;
  parley_sessions: SessionsTable;
  parley_push_subscriptions: PushSubscriptionsTable;
  parley_outbox: OutboxTable;
}

/** Table names, in an order that is safe to empty (no foreign keys, so any order is). */
export const TABLES: readonly (keyof Database)[] = [
  'parley_users',
  'parley_one_time_codes',
  'parley_revoked_tokens',
  'parley_friend_requests',
  'parley_friendships',
  'parley_blocks',
  'parley_conversations',
  'parley_messages',
  'parley_hidden_messages',
  'parley_reactions',
  'parley_cursors',
  'parley_groups',
  'parley_group_members',
  'parley_join_requests',
  'parley_sessions',
  'parley_push_subscriptions',
  'parley_outbox',
];
