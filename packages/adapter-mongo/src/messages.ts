import { randomUUID } from 'node:crypto';
import {
  ChatError,
  type ContentType,
  type ConversationCursorRecord,
  type ConversationRecord,
  type ConversationType,
  type CursorAdvance,
  type MessageDraft,
  type MessageRecord,
  type MessageStore,
} from '@parley/chat-core';
import type { ClientSession } from 'mongoose';
import { type Handle, inTransaction } from './connection.js';
import { guard, isDuplicateKeyError, retryOnDuplicateKey } from './errors.js';
import { fromStoredId, fromStoredIdOrNull, fromStoredIds, toStoredId, toStoredIdOrNull } from './ids.js';
import { messageChangeMethods } from './message-changes.js';
import { type Doc, date, dateOrNull, decodeCursor, encodeCursor, op, toPage } from './paging.js';

/** What history reads fetch: everything but the per-user, search and claim bookkeeping. */
export const MESSAGE_PROJECTION = { hiddenFor: 0, searchTokens: 0, claimToken: 0, claimedAt: 0 } as const;

/** A placeholder older than this may be taken over by a repeat (its claimer is presumed dead). */
const CLAIM_LEASE_MS = 30_000;
/** How long a repeat waits for a live claimer to number its message. */
const CLAIM_WAIT_STEPS_MS = [5, 10, 20, 40, 80, 160, 320] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function toConversation(doc: Doc): ConversationRecord {
  return {
    id: String(doc._id),
    type: doc.type as ConversationType,
    memberIds: fromStoredIds(doc.memberIds),
    groupId: fromStoredIdOrNull(doc.groupId),
    lastSeq: Number(doc.lastSeq ?? 0),
    lastVersion: Number(doc.lastVersion ?? 0),
    lastMessageAt: dateOrNull(doc.lastMessageAt),
    createdAt: date(doc.createdAt),
  };
}

export function toMessage(doc: Doc): MessageRecord {
  return {
    id: fromStoredId(doc._id),
    conversationId: String(doc.conversationId),
    type: doc.type as ConversationType,
    senderId: fromStoredId(doc.senderId),
    receiverId: fromStoredIdOrNull(doc.receiverId),
    groupId: fromStoredIdOrNull(doc.groupId),
    content: typeof doc.content === 'string' ? doc.content : '',
    contentType: doc.contentType as ContentType,
    mentions: fromStoredIds(doc.mentions),
    mentionAll: doc.mentionAll === true,
    replyTo: fromStoredIdOrNull(doc.replyTo),
    clientMsgId: typeof doc.clientMsgId === 'string' ? doc.clientMsgId : null,
    seq: Number(doc.seq),
    createdAt: date(doc.createdAt),
    recalledAt: dateOrNull(doc.recalledAt),
    recalledBy: fromStoredIdOrNull(doc.recalledBy),
    // Documents stored before these fields existed read as never changed.
    editedAt: dateOrNull(doc.editedAt),
    version: Number(doc.version ?? 0),
    replyCount: Number(doc.replyCount ?? 0),
    pinnedAt: dateOrNull(doc.pinnedAt),
    pinnedBy: fromStoredIdOrNull(doc.pinnedBy ?? null),
  };
}

function toCursor(doc: Doc): ConversationCursorRecord {
  return {
    userId: fromStoredId(doc.userId),
    conversationId: String(doc.conversationId),
    readSeq: Number(doc.readSeq ?? 0),
    deliveredSeq: Number(doc.deliveredSeq ?? 0),
    lastMentionSeq: Number(doc.lastMentionSeq ?? 0),
    updatedAt: date(doc.updatedAt),
  };
}

/** The stored document of a draft (without seq). */
function draftDocument(draft: MessageDraft): Doc {
  return {
    _id: toStoredId(draft.id),
    conversationId: draft.conversationId,
    type: draft.type,
    senderId: toStoredId(draft.senderId),
    receiverId: toStoredIdOrNull(draft.receiverId),
    groupId: toStoredIdOrNull(draft.groupId),
    content: draft.content,
    contentType: draft.contentType,
    mentions: draft.mentions.map(toStoredId),
    mentionAll: draft.mentionAll,
    replyTo: toStoredIdOrNull(draft.replyTo),
    clientMsgId: draft.clientMsgId,
    createdAt: draft.createdAt,
    recalledAt: draft.recalledAt,
    recalledBy: toStoredIdOrNull(draft.recalledBy),
    editedAt: draft.editedAt,
    version: 0,
    replyCount: 0,
    pinnedAt: null,
    pinnedBy: null,
    // Written with the raw driver (no Mongoose defaults): only non-empty token lists are stored.
    ...(draft.recalledAt === null && draft.searchTokens.length > 0
      ? { searchTokens: [...new Set(draft.searchTokens)] }
      : {}),
  };
}

/** What `appendMessage` answers. */
type Appended = { message: MessageRecord; created: boolean };

const CURSOR_FIELDS = ['readSeq', 'deliveredSeq', 'lastMentionSeq'] as const;

/**
 * The messages area: `conversations` (the seq counter), `messages` and `cursors`.
 *
 * Seq allocation is one atomic `$inc` of the conversation's `lastSeq`. Idempotency of
 * `clientMsgId` (no duplicate, no burnt seq under concurrent repeats):
 * - with transactions, the lookup, the `$inc` and the insert commit together (the driver retries
 *   write conflicts), so nothing is ever half-applied;
 * - without them, "claim first": a placeholder without seq is inserted under the unique
 *   (senderId, clientMsgId) key, and only its winner increments the counter and writes the seq
 *   on the claimed document. A repeat that loses the claim answers the first message once it is
 *   numbered (waiting briefly while it is being numbered). History only reads documents with a
 *   seq, so placeholders are never seen.
 *   Crash windows (documented in the README): a process dying between the claim and the `$inc`
 *   leaves a placeholder that the next repeat takes over once its 30 s lease has lapsed; dying
 *   between the `$inc` and the seq write burns that seq (a gap of one). A message without
 *   clientMsgId is `$inc` then insert: dying in between also leaves a gap. With transactions
 *   (any replica set, e.g. Atlas) none of this can happen.
 */
export function mongoMessageStore(ready: () => Promise<Handle>): MessageStore {
  async function nextSeq(handle: Handle, draft: MessageDraft, session?: ClientSession): Promise<number> {
    const conversation = await handle.models.conversations
      .findOneAndUpdate(
        { _id: draft.conversationId },
        // `$max`: lastMessageAt only moves forward, even when two nodes' clocks disagree.
        { $inc: { lastSeq: 1 }, $max: { lastMessageAt: draft.createdAt } },
        { returnDocument: 'after', projection: { lastSeq: 1 }, ...(session ? { session } : {}) },
      )
      .lean<Doc>();
    if (!conversation) throw new Error(`appendMessage: conversation ${draft.conversationId} does not exist`);
    return Number(conversation.lastSeq);
  }

  /** A created reply raises its parent's thread count (in the append's transaction when there is one). */
  async function countReply(handle: Handle, draft: MessageDraft, session?: ClientSession): Promise<void> {
    if (draft.replyTo === null) return;
    await handle.models.messages.collection.updateOne(
      { _id: toStoredId(draft.replyTo) as never },
      { $inc: { replyCount: 1 } },
      session ? { session } : {},
    );
  }

  async function findBySender(
    handle: Handle,
    senderId: string,
    clientMsgId: string,
    session?: ClientSession,
  ) {
    return handle.models.messages
      .findOne(
        { senderId: toStoredId(senderId), clientMsgId },
        { hiddenFor: 0, searchTokens: 0 },
        session ? { session } : {},
      )
      .lean<Doc>();
  }

  /**
   * `AppendOptions.senderCursor`: the sender's cursor moves to the message (each seq `$max`,
   * created at zeros with the message's time, updatedAt moved only with a seq, as advanceCursor).
   */
  async function moveSenderCursor(handle: Handle, message: MessageRecord, session?: ClientSession) {
    const filter = { userId: toStoredId(message.senderId), conversationId: message.conversationId };
    const upsert = () =>
      handle.models.cursors
        .findOneAndUpdate(
          filter,
          {
            $max: { readSeq: message.seq, deliveredSeq: message.seq },
            $setOnInsert: { lastMentionSeq: 0, updatedAt: message.createdAt },
          },
          {
            upsert: true,
            returnDocument: 'before',
            setDefaultsOnInsert: false,
            ...(session ? { session } : {}),
          },
        )
        .lean<Doc>();
    // Outside a transaction two first upserts may race on the unique key: the loser retries as
    // an update. Inside one, the driver's transaction retry handles the conflict.
    const before = session ? await upsert() : await retryOnDuplicateKey(upsert);
    if (before && (Number(before.readSeq) < message.seq || Number(before.deliveredSeq) < message.seq)) {
      await handle.models.cursors.updateOne(
        filter,
        { $max: { updatedAt: message.createdAt } },
        session ? { session } : {},
      );
    }
  }

  async function appendInTransaction(
    handle: Handle,
    draft: MessageDraft,
    senderCursor: boolean,
  ): Promise<Appended> {
    try {
      return await inTransaction(handle, async (session) => {
        if (draft.clientMsgId !== null) {
          const existing = await findBySender(handle, draft.senderId, draft.clientMsgId, session);
          if (existing && typeof existing.seq === 'number') {
            return { message: toMessage(existing), created: false };
          }
        }
        const seq = await nextSeq(handle, draft, session);
        const doc = { ...draftDocument(draft), seq };
        await handle.models.messages.collection.insertOne(doc, session ? { session } : {});
        await countReply(handle, draft, session);
        const message = toMessage(doc);
        if (senderCursor) await moveSenderCursor(handle, message, session);
        return { message, created: true };
      });
    } catch (error) {
      // A concurrent repeat committed the same clientMsgId first: answer its message.
      if (draft.clientMsgId !== null && isDuplicateKeyError(error)) {
        const existing = await findBySender(handle, draft.senderId, draft.clientMsgId);
        if (existing && typeof existing.seq === 'number')
          return { message: toMessage(existing), created: false };
      }
      throw error;
    }
  }

  /** Numbers a claimed placeholder; answers the stored message. */
  async function number(handle: Handle, draft: MessageDraft, token: string): Promise<Appended> {
    const seq = await nextSeq(handle, draft);
    const result = await handle.models.messages.collection.updateOne(
      { _id: toStoredId(draft.id) as never, claimToken: token },
      { $set: { seq }, $unset: { claimToken: '', claimedAt: '' } },
    );
    if (result.matchedCount === 1) {
      await countReply(handle, draft);
      return { message: { ...toMessage(draftDocument(draft)), seq }, created: true };
    }
    // Our claim was taken over after a stall longer than the lease: seq is burnt, answer theirs.
    const stored = await handle.models.messages
      .findOne({ _id: toStoredId(draft.id) }, MESSAGE_PROJECTION)
      .lean<Doc>();
    if (stored && typeof stored.seq === 'number') return { message: toMessage(stored), created: false };
    throw new ChatError('STORE_UNAVAILABLE', 'The message could not be numbered, try again');
  }

  async function appendByClaim(handle: Handle, draft: MessageDraft, clientMsgId: string): Promise<Appended> {
    const token = randomUUID();
    try {
      await handle.models.messages.collection.insertOne({
        ...draftDocument(draft),
        claimToken: token,
        claimedAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return answerRepeat(handle, draft, clientMsgId);
    }
    try {
      return await number(handle, draft, token);
    } catch (error) {
      // Nothing was numbered (e.g. the conversation is missing): release the claim.
      await handle.models.messages.collection
        .deleteOne({ _id: toStoredId(draft.id) as never, claimToken: token, seq: { $exists: false } })
        .catch(() => {});
      throw error;
    }
  }

  async function answerRepeat(handle: Handle, draft: MessageDraft, clientMsgId: string): Promise<Appended> {
    for (const wait of [0, ...CLAIM_WAIT_STEPS_MS]) {
      if (wait > 0) await sleep(wait);
      const existing = await findBySender(handle, draft.senderId, clientMsgId);
      if (!existing) {
        // The claim was released (its numbering failed): try to claim it ourselves.
        return appendByClaim(handle, draft, clientMsgId);
      }
      if (typeof existing.seq === 'number') return { message: toMessage(existing), created: false };
      const claimedAt = existing.claimedAt instanceof Date ? existing.claimedAt.getTime() : 0;
      if (Date.now() - claimedAt > CLAIM_LEASE_MS) {
        // The claimer is presumed dead: take the placeholder over with a fresh token, atomically.
        const token = randomUUID();
        const taken = await handle.models.messages.collection.updateOne(
          { _id: existing._id as never, claimToken: existing.claimToken, seq: { $exists: false } },
          { $set: { claimToken: token, claimedAt: new Date() } },
        );
        if (taken.matchedCount === 1) {
          const stale = toMessage({ ...existing, seq: 0 });
          // The placeholder holds its own tokens already; the draft's are only for a new document.
          return number(handle, { ...stale, searchTokens: [] }, token);
        }
      }
    }
    throw new ChatError(
      'STORE_UNAVAILABLE',
      'The first copy of this message is still being stored, try again',
    );
  }

  return {
    ensureConversation: (conversation) =>
      guard(async () => {
        const { models } = await ready();
        const insert = {
          type: conversation.type,
          memberIds: conversation.memberIds.map(toStoredId),
          groupId: toStoredIdOrNull(conversation.groupId),
          lastSeq: conversation.lastSeq,
          lastVersion: conversation.lastVersion,
          pinCount: 0,
          lastMessageAt: conversation.lastMessageAt,
          createdAt: conversation.createdAt,
        };
        for (let attempt = 0; ; attempt++) {
          try {
            const doc = await models.conversations
              .findOneAndUpdate(
                { _id: conversation.id },
                { $setOnInsert: insert },
                { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
              )
              .lean<Doc>();
            if (doc) return toConversation(doc);
          } catch (error) {
            // Two concurrent upserts of a new id: the loser reads the winner's document.
            if (attempt >= 2 || !isDuplicateKeyError(error)) throw error;
          }
        }
      }),

    getConversation: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.conversations.findOne({ _id: id }).lean<Doc>();
        return doc ? toConversation(doc) : null;
      }),

    getConversations: (ids) =>
      guard(async () => {
        if (ids.length === 0) return [];
        const { models } = await ready();
        const docs = await models.conversations.find({ _id: op({ $in: [...new Set(ids)] }) }).lean<Doc[]>();
        return docs.map(toConversation);
      }),

    appendMessage: (draft, options) =>
      guard(async () => {
        const handle = await ready();
        const senderCursor = options?.senderCursor === true;
        if (handle.transactions) return appendInTransaction(handle, draft, senderCursor);
        let appended: Appended;
        if (draft.clientMsgId !== null) appended = await appendByClaim(handle, draft, draft.clientMsgId);
        else {
          const seq = await nextSeq(handle, draft);
          const doc = { ...draftDocument(draft), seq };
          await handle.models.messages.collection.insertOne(doc);
          await countReply(handle, draft);
          appended = { message: toMessage(doc), created: true };
        }
        // Without transactions the cursor follows the numbered message: a process dying in between
        // leaves only the sender's own message unread for them, until they next read.
        if (senderCursor && appended.created) await moveSenderCursor(handle, appended.message);
        return appended;
      }),

    getMessage: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.messages
          .findOne({ _id: toStoredId(id), seq: op({ $gt: 0 }) }, MESSAGE_PROJECTION)
          .lean<Doc>();
        return doc ? toMessage(doc) : null;
      }),

    listMessages: (conversationId, query) =>
      guard(async () => {
        const { models } = await ready();
        const limit = query.limit;
        // A limit of 0 would mean "no limit" to MongoDB.
        if (!(limit >= 1)) return { items: [], hasMore: false };
        let floor = 0;
        if (query.notBefore !== undefined) {
          // The roaming window as a seq floor (seq and createdAt grow together), so the index
          // walk stops at the window instead of scanning older history; createdAt is still
          // filtered below for exactness.
          const first = await models.messages
            .findOne(
              { conversationId, createdAt: op({ $gte: query.notBefore }), seq: op({ $gt: 0 }) },
              { seq: 1 },
            )
            .sort({ createdAt: 1, seq: 1 })
            .lean<Doc>();
          if (!first) return { items: [], hasMore: false };
          floor = Number(first.seq) - 1;
        }
        const seq: Record<string, number> = { $gt: floor };
        let ascending = false;
        if (query.beforeSeq !== undefined) {
          seq.$lt = query.beforeSeq;
        } else if (query.afterSeq !== undefined) {
          seq.$gt = Math.max(floor, query.afterSeq);
          ascending = true;
        }
        const filter: Doc = { conversationId, seq: op(seq) };
        if (query.notBefore !== undefined) filter.createdAt = op({ $gte: query.notBefore });
        if (query.viewerId !== undefined) filter.hiddenFor = op({ $ne: toStoredId(query.viewerId) });
        const docs = await models.messages
          .find(filter, MESSAGE_PROJECTION)
          .sort({ seq: ascending ? 1 : -1 })
          .limit(limit + 1)
          .lean<Doc[]>();
        const hasMore = docs.length > limit;
        const page = docs.slice(0, limit).map(toMessage);
        if (!ascending) page.reverse();
        return { items: page, hasMore };
      }),

    ...messageChangeMethods(ready),

    hideMessage: (userId, messageId) =>
      guard(async () => {
        const { models } = await ready();
        await models.messages.collection.updateOne(
          { _id: toStoredId(messageId) as never },
          { $addToSet: { hiddenFor: toStoredId(userId) } },
        );
      }),

    getCursor: (userId, conversationId) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.cursors.findOne({ userId: toStoredId(userId), conversationId }).lean<Doc>();
        return doc ? toCursor(doc) : null;
      }),

    listCursorsOfUser: (userId) =>
      guard(async () => {
        const { models } = await ready();
        const docs = await models.cursors.find({ userId: toStoredId(userId) }).lean<Doc[]>();
        return docs.map(toCursor);
      }),

    advanceCursor: (userId, conversationId, advance: CursorAdvance, at) =>
      guard(async () => {
        const { models } = await ready();
        // `$max` for the seqs given and `$setOnInsert` zeros for the others (a field may not be
        // in both); one atomic upsert that answers the document before it, from which the
        // seqs after are exactly max(before, advance).
        const max: Record<string, number> = {};
        const zeros: Record<string, number | Date> = {};
        for (const field of CURSOR_FIELDS) {
          const value = advance[field];
          if (typeof value === 'number') max[field] = value;
          else zeros[field] = 0;
        }
        // updatedAt is set on creation and otherwise only moves with a seq (second step below).
        const update: Doc = { $setOnInsert: { ...zeros, updatedAt: at } };
        if (Object.keys(max).length > 0) update.$max = max;
        const filter = { userId: toStoredId(userId), conversationId };
        // Concurrent first advances: the loser's retry updates the winner's cursor.
        const beforeDoc = await retryOnDuplicateKey(() =>
          models.cursors
            .findOneAndUpdate(filter, update, {
              upsert: true,
              returnDocument: 'before',
              setDefaultsOnInsert: false,
            })
            .lean<Doc>(),
        );
        const before = beforeDoc ? toCursor(beforeDoc) : null;
        if (!before) {
          return {
            before: null,
            after: {
              userId,
              conversationId,
              readSeq: advance.readSeq ?? 0,
              deliveredSeq: advance.deliveredSeq ?? 0,
              lastMentionSeq: advance.lastMentionSeq ?? 0,
              updatedAt: new Date(at.getTime()),
            },
          };
        }
        const after: ConversationCursorRecord = {
          ...before,
          updatedAt: new Date(before.updatedAt.getTime()),
        };
        let moved = false;
        for (const field of CURSOR_FIELDS) {
          const value = advance[field];
          if (typeof value === 'number' && value > after[field]) {
            after[field] = value;
            moved = true;
          }
        }
        if (moved) {
          await models.cursors.updateOne(filter, { $max: { updatedAt: at } });
          after.updatedAt = new Date(at.getTime());
        }
        return { before, after };
      }),

    deleteCursor: (userId, conversationId) =>
      guard(async () => {
        const { models } = await ready();
        await models.cursors.deleteOne({ userId: toStoredId(userId), conversationId });
      }),

    listReaders: (conversationId, seq, page) =>
      guard(async () => {
        const { models } = await ready();
        const cursor = decodeCursor(page.cursor, { u: 'string' });
        // Ordered by user id; the scan is bounded by the conversation's members, never its history.
        const filter: Doc = { conversationId, readSeq: op({ $gte: seq }) };
        if (cursor) filter.userId = op({ $gt: toStoredId(String(cursor.u)) });
        const docs = await models.cursors
          .find(filter, { userId: 1, _id: 0 })
          .sort({ userId: 1 })
          .limit(page.limit + 1)
          .lean<Doc[]>();
        const readers = docs.map((doc) => fromStoredId(doc.userId));
        return toPage(readers, page.limit, (last) => encodeCursor({ u: last }));
      }),
  };
}
