/**
 * SQLite only: the methods of a 1:1 send and its delivery receipt (getById, getRelation,
 * ensureConversation, appendMessage, getMessage, advanceCursor) as prepared better-sqlite3
 * statements run synchronously; the writes are committed a turn's worth at a time, one
 * `BEGIN IMMEDIATE` transaction with a savepoint per write (see sqlite-group-commit.ts).
 *
 * Why: through Kysely each statement is built, compiled and run behind the async driver's mutex
 * and a few promises, and every transaction adds a BEGIN and a COMMIT round of the same; that
 * was most of a message's cost on SQLite. The SQL below is what the Kysely queries of
 * `messages.ts`, `users.ts` and `social.ts` compile to on SQLite (same columns, same bounds, same
 * search key), so rows and answers are the same; PostgreSQL keeps the Kysely queries.
 *
 * Safety: every call runs through the driver's {@link ConnectionGate}, so it never runs while a
 * Kysely query or transaction holds the connection (it would otherwise become part of that
 * transaction). Transactions are IMMEDIATE, so other processes on the file queue at BEGIN under
 * busy_timeout, as with Kysely's transactions.
 */
import type {
  ConversationCursorRecord,
  ConversationRecord,
  CursorAdvance,
  MessageDraft,
  MessageRecord,
  Relation,
  UserRecord,
} from '@parley/chat-core';
import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { readDate } from './codec.js';
import { mergeAdvance, toConversation, toCursor } from './conversation-rows.js';
import type { ConversationsTable, CursorsTable, FriendshipsTable, UsersTable } from './database.js';
import { isUniqueViolation } from './errors.js';
import { createdMessage, MESSAGE_COLUMNS, type MessageRow, toMessage } from './message-rows.js';
import { ftsText, SEARCH_KEY_SLOTS } from './search.js';
import type { ConnectionGate } from './sqlite-driver.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { toUser } from './users.js';

const MESSAGE_SELECT = `select ${MESSAGE_COLUMNS.map((column) => `"${column}"`).join(', ')} from "parley_messages"`;

/** The SQL of each statement, as Kysely compiles the store's queries on SQLite (see the module doc). */
const SQL = {
  user: 'select * from "parley_users" where "id" = ?',
  friendship: 'select * from "parley_friendships" where "user_id" = ? and "friend_id" = ?',
  blocks: `select "blocker_id", "blocked_id" from "parley_blocks"
    where (("blocker_id" = ? and "blocked_id" = ?) or ("blocker_id" = ? and "blocked_id" = ?))`,
  conversation: 'select * from "parley_conversations" where "id" = ?',
  insertConversation: `insert into "parley_conversations"
    ("id", "type", "member_ids", "group_id", "last_seq", "last_version", "last_message_at", "created_at")
    values (?, ?, ?, ?, ?, ?, ?, ?) on conflict ("id") do nothing`,
  message: `${MESSAGE_SELECT} where "id" = ?`,
  messageByClientMsgId: `${MESSAGE_SELECT} where "sender_id" = ? and "client_msg_id" = ?`,
  // lastMessageAt only moves forward, even when clocks of two nodes disagree.
  bumpConversation: `update "parley_conversations" set "last_seq" = "last_seq" + 1,
    "last_message_at" = case when ("last_message_at" is null or "last_message_at" < ?) then ?
    else "last_message_at" end where "id" = ? returning "last_seq"`,
  // search_key: the next free place in the message's millisecond (see nextSearchKey in search.ts).
  insertMessage: `insert into "parley_messages" ("id", "conversation_id", "type", "sender_id",
    "receiver_id", "group_id", "content", "content_type", "mentions", "mention_all", "reply_to",
    "client_msg_id", "seq", "created_at", "recalled_at", "recalled_by", "edited_at", "version",
    "reply_count", "pinned_at", "pinned_by", "search_text", "search_key")
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, null, null, ?,
      (select coalesce(max(k.search_key) + 1, (cast(? as integer) * ${SEARCH_KEY_SLOTS})) from parley_messages k
       where k.search_key >= (cast(? as integer) * ${SEARCH_KEY_SLOTS})
         and k.search_key < (cast((? + 1) as integer) * ${SEARCH_KEY_SLOTS})))`,
  bumpReplyCount: 'update "parley_messages" set "reply_count" = "reply_count" + 1 where "id" = ?',
  cursor: 'select * from "parley_cursors" where "conversation_id" = ? and "user_id" = ?',
  insertCursor: `insert into "parley_cursors"
    ("user_id", "conversation_id", "read_seq", "delivered_seq", "last_mention_seq", "updated_at")
    values (?, ?, ?, ?, ?, ?)`,
  updateCursor: `update "parley_cursors" set "read_seq" = ?, "delivered_seq" = ?, "last_mention_seq" = ?,
    "updated_at" = ? where "conversation_id" = ? and "user_id" = ?`,
  // What messages.ts's senderCursor upsert compiles to: each seq keeps the max, updatedAt moves with one.
  senderCursor: `insert into "parley_cursors"
    ("user_id", "conversation_id", "read_seq", "delivered_seq", "last_mention_seq", "updated_at")
    values (?, ?, ?, ?, 0, ?) on conflict ("conversation_id", "user_id") do update set
    "read_seq" = case when "parley_cursors"."read_seq" < "excluded"."read_seq"
      then "excluded"."read_seq" else "parley_cursors"."read_seq" end,
    "delivered_seq" = case when "parley_cursors"."delivered_seq" < "excluded"."delivered_seq"
      then "excluded"."delivered_seq" else "parley_cursors"."delivered_seq" end,
    "updated_at" = case when ("parley_cursors"."read_seq" < "excluded"."read_seq"
      or "parley_cursors"."delivered_seq" < "excluded"."delivered_seq")
      then "excluded"."updated_at" else "parley_cursors"."updated_at" end`,
} as const;

type Statement<Row = unknown> = BetterSqlite3.Statement<unknown[], Row>;

/** Raised inside the append transaction when the conversation row is missing (rolls it back). */
class MissingConversation extends Error {}

/** A value better-sqlite3 can bind: a Date as milliseconds, a missing value as NULL. */
function ms(value: Date | null | undefined): number | null {
  return value instanceof Date ? value.getTime() : null;
}

/**
 * The hot path over one better-sqlite3 database and the gate of the Kysely driver that owns it.
 * Each method answers exactly what the Kysely implementation answers; errors are thrown as
 * better-sqlite3 raises them (the callers' `guard` maps them as for Kysely's).
 */
export class SqliteHotPath {
  readonly #database: BetterSqlite3.Database;
  readonly #gate: ConnectionGate;
  /** The writes (append, cursor advance), committed a turn's worth at a time (sqlite-group-commit.ts). */
  readonly #group: GroupCommit;
  readonly #user = this.#statement<Selectable<UsersTable>>(SQL.user);
  readonly #friendship = this.#statement<Selectable<FriendshipsTable>>(SQL.friendship);
  readonly #blocks = this.#statement<{ blocker_id: string; blocked_id: string }>(SQL.blocks);
  readonly #conversation = this.#statement<Selectable<ConversationsTable>>(SQL.conversation);
  readonly #insertConversation = this.#statement(SQL.insertConversation);
  readonly #message = this.#statement<MessageRow>(SQL.message);
  readonly #messageByClientMsgId = this.#statement<MessageRow>(SQL.messageByClientMsgId);
  readonly #bumpConversation = this.#statement<{ last_seq: number }>(SQL.bumpConversation);
  readonly #insertMessage = this.#statement(SQL.insertMessage);
  readonly #bumpReplyCount = this.#statement(SQL.bumpReplyCount);
  readonly #cursor = this.#statement<Selectable<CursorsTable>>(SQL.cursor);
  readonly #insertCursor = this.#statement(SQL.insertCursor);
  readonly #updateCursor = this.#statement(SQL.updateCursor);
  readonly #senderCursor = this.#statement(SQL.senderCursor);
  readonly #append: BetterSqlite3.Transaction<
    (draft: MessageDraft, searchText: string | null, senderCursor: boolean) => number
  >;
  readonly #advance: BetterSqlite3.Transaction<
    (
      userId: string,
      conversationId: string,
      advance: CursorAdvance,
      at: Date,
    ) => { before: ConversationCursorRecord | null; after: ConversationCursorRecord }
  >;

  constructor(database: BetterSqlite3.Database, gate: ConnectionGate) {
    this.#database = database;
    this.#gate = gate;
    this.#group = new GroupCommit(database, gate);

    this.#append = database.transaction(
      (draft: MessageDraft, searchText: string | null, senderCursor: boolean): number => {
        const createdAt = draft.createdAt.getTime();
        // The write comes first, so the transaction takes the conversation before anything else.
        const bumped = this.#bumpConversation().get(createdAt, createdAt, draft.conversationId);
        if (!bumped) throw new MissingConversation();
        this.#insertMessage().run(
          draft.id,
          draft.conversationId,
          draft.type,
          draft.senderId,
          draft.receiverId ?? null,
          draft.groupId ?? null,
          draft.content,
          draft.contentType,
          JSON.stringify(draft.mentions),
          draft.mentionAll ? 1 : 0,
          draft.replyTo ?? null,
          draft.clientMsgId ?? null,
          bumped.last_seq,
          createdAt,
          ms(draft.recalledAt),
          draft.recalledBy ?? null,
          ms(draft.editedAt),
          searchText,
          createdAt,
          createdAt,
          createdAt,
        );
        // The parent's thread count moves in the same transaction.
        if (draft.replyTo !== null && draft.replyTo !== undefined) this.#bumpReplyCount().run(draft.replyTo);
        // So does the sender's cursor (AppendOptions.senderCursor): one commit for the whole send.
        if (senderCursor) {
          const seq = bumped.last_seq;
          this.#senderCursor().run(draft.senderId, draft.conversationId, seq, seq, createdAt);
        }
        return bumped.last_seq;
      },
    );

    this.#advance = database.transaction(
      (userId: string, conversationId: string, advance: CursorAdvance, at: Date) => {
        // Read and write under the writer lock taken at BEGIN IMMEDIATE: before/after are exact even
        // against other processes, and nothing of this process can run in between (synchronous).
        const row = this.#cursor().get(conversationId, userId);
        const updatedAt = at.getTime();
        if (!row) {
          // What the Kysely path does in two steps: created at zeros, then the advance merged in.
          const zeros: ConversationCursorRecord = {
            userId,
            conversationId,
            readSeq: 0,
            deliveredSeq: 0,
            lastMentionSeq: 0,
            updatedAt: new Date(updatedAt),
          };
          const { after } = mergeAdvance(zeros, advance, at);
          this.#insertCursor().run(
            userId,
            conversationId,
            after.readSeq,
            after.deliveredSeq,
            after.lastMentionSeq,
            updatedAt,
          );
          return { before: null, after };
        }
        const before = toCursor(row);
        const { after, moved } = mergeAdvance(before, advance, at);
        if (moved) {
          this.#updateCursor().run(
            after.readSeq,
            after.deliveredSeq,
            after.lastMentionSeq,
            updatedAt,
            conversationId,
            userId,
          );
        }
        return { before, after };
      },
    );
  }

  getUser(id: string): Promise<UserRecord | null> {
    return this.#gate.run(() => {
      const row = this.#user().get(id);
      return row ? toUser(row) : null;
    });
  }

  getRelation(a: string, b: string): Promise<Relation> {
    return this.#gate.run(() => {
      const friendship = this.#friendship().get(a, b);
      const blocks = this.#blocks().all(a, b, b, a);
      return {
        friendship: friendship
          ? { userId: friendship.user_id, friendId: friendship.friend_id, since: readDate(friendship.since) }
          : null,
        aBlocksB: blocks.some((row) => row.blocker_id === a && row.blocked_id === b),
        bBlocksA: blocks.some((row) => row.blocker_id === b && row.blocked_id === a),
      };
    });
  }

  ensureConversation(conversation: ConversationRecord): Promise<ConversationRecord> {
    return this.#gate.run(() => {
      // Read first: the conversation exists on every message but the first, and a read takes no
      // writer lock. The insert-or-ignore then the read again answer the stored row either way.
      const existing = this.#conversation().get(conversation.id);
      if (existing) return toConversation(existing);
      this.#insertConversation().run(
        conversation.id,
        conversation.type,
        JSON.stringify(conversation.memberIds),
        conversation.groupId ?? null,
        conversation.lastSeq,
        conversation.lastVersion,
        ms(conversation.lastMessageAt),
        conversation.createdAt.getTime(),
      );
      const row = this.#conversation().get(conversation.id);
      if (!row)
        throw new Error(`ensureConversation: conversation ${conversation.id} is missing after its insert`);
      return toConversation(row);
    });
  }

  getMessage(id: string): Promise<MessageRecord | null> {
    return this.#gate.run(() => {
      const row = this.#message().get(id);
      return row ? toMessage(row) : null;
    });
  }

  appendMessage(
    draft: MessageDraft,
    senderCursor = false,
  ): Promise<{ message: MessageRecord; created: boolean }> {
    // The tokens are read (and, for a lazy draft, computed) before the group takes the writer lock.
    const searchText = draft.recalledAt === null ? ftsText(draft.searchTokens) : null;
    // A group message's cost is its delivery to every member, whose frames batch best when its
    // sender's backlog runs on in one go: it commits at once, alone. A private message's cost is
    // mostly its commit, which it shares with the turn's others (sqlite-group-commit.ts).
    const write = (): { message: MessageRecord; created: boolean } => {
      // Under the writer lock: the same clientMsgId earlier in this group, or committed by
      // another process, is seen here.
      if (draft.clientMsgId !== null) {
        const existing = this.#messageByClientMsgId().get(draft.senderId, draft.clientMsgId);
        if (existing) return { message: toMessage(existing), created: false };
      }
      let seq: number;
      try {
        seq = this.#append(draft, searchText, senderCursor);
      } catch (error) {
        // Another process committed the same clientMsgId between our read and our insert: the
        // savepoint rolled back whole, no seq burnt.
        if (draft.clientMsgId !== null && isUniqueViolation(error)) {
          const existing = this.#messageByClientMsgId().get(draft.senderId, draft.clientMsgId);
          if (existing) return { message: toMessage(existing), created: false };
        }
        throw error;
      }
      return { message: createdMessage(draft, seq), created: true };
    };
    const inGroup = draft.groupId !== null && draft.groupId !== undefined;
    return (inGroup ? this.#group.now(write) : this.#group.submit(write)).catch((error: unknown) => {
      if (error instanceof MissingConversation) {
        throw new Error(`appendMessage: conversation ${draft.conversationId} does not exist`);
      }
      throw error;
    });
  }

  advanceCursor(
    userId: string,
    conversationId: string,
    advance: CursorAdvance,
    at: Date,
  ): Promise<{ before: ConversationCursorRecord | null; after: ConversationCursorRecord }> {
    return this.#group.submit(() => this.#advance(userId, conversationId, advance, at));
  }

  /**
   * The statement, prepared on first use and then kept: a store opened with `migrate: false` may
   * lack a table until the host migrates. (The database is read when first used, too: field
   * initialisers run before the constructor sets it.)
   */
  #statement<Row>(source: string): () => Statement<Row> {
    let statement: Statement<Row> | undefined;
    return () => {
      statement ??= this.#database.prepare<unknown[], Row>(source);
      return statement;
    };
  }
}
