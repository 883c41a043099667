/**
 * The messages area: conversations, messages and cursors.
 *
 * Seq allocation is one transaction: `UPDATE conversations SET last_seq = last_seq + 1 …
 * RETURNING last_seq` (the row lock queues concurrent appends on PostgreSQL; SQLite has one
 * writer) and the insert at that seq. A repeated clientMsgId meets the unique key on
 * (sender_id, client_msg_id): the transaction rolls back, so no seq is burnt, and the message
 * already stored is answered. History pages walk the unique (conversation_id, seq) index.
 */
import type { MessageRecord, MessageStore, Page } from '@parley/chat-core';
import { mergeAdvance, toConversation, toCursor } from './conversation-rows.js';
import { guard, isUniqueViolation } from './errors.js';
import { forUpdate, type Ready } from './handle.js';
import { messageChangeMethods } from './message-changes.js';
import { createdMessage, MESSAGE_COLUMNS, searchColumns, toMessage } from './message-rows.js';
import { decodeCursor, emptyPage, encodeCursor, toPage } from './paging.js';
import { nextSearchKey } from './search.js';

/** Raised inside the append transaction when the conversation row is missing. */
class MissingConversation extends Error {}

export function sqlMessageStore(ready: Ready): MessageStore {
  const findByClientMsgId = async (
    db: Awaited<ReturnType<Ready>>['db'],
    senderId: string,
    clientMsgId: string,
  ): Promise<MessageRecord | null> => {
    const row = await db
      .selectFrom('parley_messages')
      .select(MESSAGE_COLUMNS)
      .where('sender_id', '=', senderId)
      .where('client_msg_id', '=', clientMsgId)
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  };

  return {
    ensureConversation: (conversation) =>
      guard(async () => {
        const { db, codec, sqlite } = await ready();
        // SQLite runs this method and the others of a 1:1 send and its receipt as prepared
        // statements (sqlite-hot-path.ts, same SQL and answers); PostgreSQL the queries below.
        if (sqlite) return sqlite.ensureConversation(conversation);
        await db
          .insertInto('parley_conversations')
          .values({
            id: conversation.id,
            type: conversation.type,
            member_ids: JSON.stringify(conversation.memberIds),
            group_id: conversation.groupId,
            last_seq: conversation.lastSeq,
            last_version: conversation.lastVersion,
            last_message_at: codec.dateOrNull(conversation.lastMessageAt),
            created_at: codec.date(conversation.createdAt),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        const row = await db
          .selectFrom('parley_conversations')
          .selectAll()
          .where('id', '=', conversation.id)
          .executeTakeFirstOrThrow();
        return toConversation(row);
      }),

    getConversation: (id) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_conversations')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toConversation(row) : null;
      }),

    getConversations: (ids) =>
      guard(async () => {
        if (ids.length === 0) return [];
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_conversations')
          .selectAll()
          .where('id', 'in', [...new Set(ids)])
          .execute();
        return rows.map(toConversation);
      }),

    appendMessage: (draft, options) =>
      guard(async () => {
        const { db, codec, sqlite } = await ready();
        const senderCursor = options?.senderCursor === true;
        if (sqlite) return sqlite.appendMessage(draft, senderCursor);
        if (draft.clientMsgId !== null) {
          const existing = await findByClientMsgId(db, draft.senderId, draft.clientMsgId);
          if (existing) return { message: existing, created: false };
        }
        try {
          const seq = await db.transaction().execute(async (trx) => {
            const createdAt = codec.date(draft.createdAt);
            // The write comes first, so the transaction holds the row (or the database's writer
            // lock) from its first statement: concurrent appends queue here, one seq each.
            const bumped = await trx
              .updateTable('parley_conversations')
              .set((eb) => ({
                last_seq: eb('last_seq', '+', 1),
                // lastMessageAt only moves forward, even when clocks of two nodes disagree.
                last_message_at: eb
                  .case()
                  .when(eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<', createdAt)]))
                  // eb.val: a bound parameter; a bare value here is inlined into the SQL text,
                  // which would make every append a new statement to prepare.
                  .then(eb.val(createdAt))
                  .else(eb.ref('last_message_at'))
                  .end(),
              }))
              .where('id', '=', draft.conversationId)
              .returning('last_seq')
              .executeTakeFirst();
            if (!bumped) throw new MissingConversation();
            await trx
              .insertInto('parley_messages')
              .values({
                id: draft.id,
                conversation_id: draft.conversationId,
                type: draft.type,
                sender_id: draft.senderId,
                receiver_id: draft.receiverId,
                group_id: draft.groupId,
                content: draft.content,
                content_type: draft.contentType,
                mentions: JSON.stringify(draft.mentions),
                mention_all: codec.bool(draft.mentionAll),
                reply_to: draft.replyTo,
                client_msg_id: draft.clientMsgId,
                seq: bumped.last_seq,
                created_at: createdAt,
                recalled_at: codec.dateOrNull(draft.recalledAt),
                recalled_by: draft.recalledBy,
                edited_at: codec.dateOrNull(draft.editedAt),
                version: 0,
                reply_count: 0,
                pinned_at: null,
                pinned_by: null,
                ...searchColumns(codec, draft.recalledAt === null ? draft.searchTokens : []),
                ...(codec.dialect === 'sqlite' ? { search_key: nextSearchKey(createdAt as number) } : {}),
              })
              .execute();
            // The parent's thread count moves in the same transaction (after the conversation row:
            // every write here takes the conversation first, so none waits on another in a cycle).
            if (draft.replyTo !== null) {
              await trx
                .updateTable('parley_messages')
                .set((eb) => ({ reply_count: eb('reply_count', '+', 1) }))
                .where('id', '=', draft.replyTo)
                .execute();
            }
            // The sender's cursor moves in the same transaction, taken after the conversation as
            // every write here does (advanceCursor locks the cursor row alone: no cycle).
            if (senderCursor) {
              const seq = bumped.last_seq;
              await trx
                .insertInto('parley_cursors')
                .values({
                  user_id: draft.senderId,
                  conversation_id: draft.conversationId,
                  read_seq: seq,
                  delivered_seq: seq,
                  last_mention_seq: 0,
                  updated_at: createdAt,
                })
                .onConflict((oc) =>
                  oc.columns(['conversation_id', 'user_id']).doUpdateSet((eb) => {
                    // Each seq keeps the max; updatedAt moves only with a seq, as in advanceCursor.
                    const behind = eb.or([
                      eb('parley_cursors.read_seq', '<', eb.ref('excluded.read_seq')),
                      eb('parley_cursors.delivered_seq', '<', eb.ref('excluded.delivered_seq')),
                    ]);
                    const maxOf = (column: 'read_seq' | 'delivered_seq') =>
                      eb
                        .case()
                        .when(`parley_cursors.${column}`, '<', eb.ref(`excluded.${column}`))
                        .then(eb.ref(`excluded.${column}`))
                        .else(eb.ref(`parley_cursors.${column}`))
                        .end();
                    return {
                      read_seq: maxOf('read_seq'),
                      delivered_seq: maxOf('delivered_seq'),
                      updated_at: eb
                        .case()
                        .when(behind)
                        .then(eb.ref('excluded.updated_at'))
                        .else(eb.ref('parley_cursors.updated_at'))
                        .end(),
                    };
                  }),
                )
                .execute();
            }
            return bumped.last_seq;
          });
          return { message: createdMessage(draft, seq), created: true };
        } catch (error) {
          if (error instanceof MissingConversation) {
            throw new Error(`appendMessage: conversation ${draft.conversationId} does not exist`);
          }
          // A concurrent repeat of the same clientMsgId committed first: ours rolled back whole.
          if (draft.clientMsgId !== null && isUniqueViolation(error)) {
            const existing = await findByClientMsgId(db, draft.senderId, draft.clientMsgId);
            if (existing) return { message: existing, created: false };
          }
          throw error;
        }
      }),

    getMessage: (id) =>
      guard(async () => {
        const { db, sqlite } = await ready();
        if (sqlite) return sqlite.getMessage(id);
        const row = await db
          .selectFrom('parley_messages')
          .select(MESSAGE_COLUMNS)
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? toMessage(row) : null;
      }),

    listMessages: (conversationId, query) =>
      guard(async () => {
        if (query.limit < 1) return { items: [], hasMore: false };
        const { db, codec } = await ready();
        const forward = query.beforeSeq === undefined && query.afterSeq !== undefined;
        const notBefore = query.notBefore === undefined ? undefined : codec.date(query.notBefore);
        const viewerId = query.viewerId;
        const rows = await db
          .selectFrom('parley_messages as m')
          .select(MESSAGE_COLUMNS)
          .where('m.conversation_id', '=', conversationId)
          .$if(query.beforeSeq !== undefined, (q) => q.where('m.seq', '<', query.beforeSeq as number))
          .$if(forward, (q) => q.where('m.seq', '>', query.afterSeq as number))
          .$if(notBefore !== undefined, (q) =>
            q
              .where('m.created_at', '>=', notBefore as Date | number)
              // The first seq inside the window, found on the (conversation, created_at) index,
              // bounds the walk: messages older than the window are never scanned.
              .where('m.seq', '>=', (eb) =>
                eb
                  .selectFrom('parley_messages as w')
                  .select('w.seq')
                  .where('w.conversation_id', '=', conversationId)
                  .where('w.created_at', '>=', notBefore as Date | number)
                  .orderBy('w.created_at')
                  .orderBy('w.seq')
                  .limit(1),
              ),
          )
          .$if(viewerId !== undefined, (q) =>
            q.where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('parley_hidden_messages as h')
                    .select('h.message_id')
                    .where('h.user_id', '=', viewerId as string)
                    .whereRef('h.message_id', '=', 'm.id'),
                ),
              ),
            ),
          )
          .orderBy('m.seq', forward ? 'asc' : 'desc')
          .limit(query.limit + 1)
          .execute();
        const hasMore = rows.length > query.limit;
        const page = (hasMore ? rows.slice(0, query.limit) : rows).map(toMessage);
        if (!forward) page.reverse();
        return { items: page, hasMore };
      }),

    ...messageChangeMethods(ready),

    hideMessage: (userId, messageId) =>
      guard(async () => {
        const { db } = await ready();
        await db
          .insertInto('parley_hidden_messages')
          .values({ user_id: userId, message_id: messageId })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }),

    getCursor: (userId, conversationId) =>
      guard(async () => {
        const { db } = await ready();
        const row = await db
          .selectFrom('parley_cursors')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return row ? toCursor(row) : null;
      }),

    listCursorsOfUser: (userId) =>
      guard(async () => {
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_cursors')
          .selectAll()
          .where('user_id', '=', userId)
          .execute();
        return rows.map(toCursor);
      }),

    advanceCursor: (userId, conversationId, advance, at) =>
      guard(async () => {
        const { db, codec, sqlite } = await ready();
        if (sqlite) return sqlite.advanceCursor(userId, conversationId, advance, at);
        return db.transaction().execute(async (trx) => {
          // Created at zeros first (a no-op when it exists), then locked and merged: the
          // before/after pair is exact under concurrent advances.
          const created = await trx
            .insertInto('parley_cursors')
            .values({
              user_id: userId,
              conversation_id: conversationId,
              read_seq: 0,
              delivered_seq: 0,
              last_mention_seq: 0,
              updated_at: codec.date(at),
            })
            .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
            .returning('user_id')
            .executeTakeFirst();
          const row = await forUpdate(
            codec,
            trx
              .selectFrom('parley_cursors')
              .selectAll()
              .where('conversation_id', '=', conversationId)
              .where('user_id', '=', userId),
          ).executeTakeFirstOrThrow();
          const before = toCursor(row);
          const { after, moved } = mergeAdvance(before, advance, at);
          if (moved) {
            await trx
              .updateTable('parley_cursors')
              .set({
                read_seq: after.readSeq,
                delivered_seq: after.deliveredSeq,
                last_mention_seq: after.lastMentionSeq,
                updated_at: codec.date(at),
              })
              .where('conversation_id', '=', conversationId)
              .where('user_id', '=', userId)
              .execute();
          }
          return { before: created ? null : before, after };
        });
      }),

    deleteCursor: (userId, conversationId) =>
      guard(async () => {
        const { db } = await ready();
        await db
          .deleteFrom('parley_cursors')
          .where('conversation_id', '=', conversationId)
          .where('user_id', '=', userId)
          .execute();
      }),

    listReaders: (conversationId, seq, page) =>
      guard(async (): Promise<Page<string>> => {
        const list = `readers:${conversationId}:${seq}`;
        const after = decodeCursor(list, page.cursor, { u: 'string' })?.u ?? null;
        if (page.limit < 1) return emptyPage<string>();
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_cursors')
          .select('user_id')
          .where('conversation_id', '=', conversationId)
          .where('read_seq', '>=', seq)
          .$if(after !== null, (q) => q.where('user_id', '>', after as string))
          .orderBy('user_id')
          .limit(page.limit + 1)
          .execute();
        return toPage(
          rows,
          page.limit,
          (row) => row.user_id,
          (last) => encodeCursor(list, { u: last.user_id }),
        );
      }),
  };
}
