/**
 * Changes to stored messages (recall, edit, reactions, pins) and the reads they serve: changed
 * messages since a version, threads, pins and search.
 *
 * A change is its conditional write (only when not recalled, a reaction only once, …), then the
 * version stamp: `findOneAndUpdate` `$inc` of the conversation's `lastVersion`, then `$max` of the
 * message's `version` with it. With transactions (any replica set) the three commit together, and
 * two changes of one conversation conflict on its document, so the driver retries one: versions
 * are distinct and commit in order. Without them each step is atomic on its own: versions are
 * still distinct (`$inc`) and a message's version never goes back (`$max`), but a process dying
 * between the write and the stamp leaves that change unstamped (sync would not report it).
 *
 * Pins hold the limit through the conversation's `pinCount`: a pin first reserves a place with a
 * conditional `$inc` (`pinCount < maxPins`), released when the message turns out pinned already;
 * an unpin gives it back. So concurrent pins never pass the limit, with or without transactions.
 */
import type { MessageRecord, MessageStore, ReactionSummary } from '@parley/chat-core';
import type { ClientSession } from 'mongoose';
import { type Handle, inTransaction } from './connection.js';
import { guard, isDuplicateKeyError } from './errors.js';
import { toStoredId } from './ids.js';
import { MESSAGE_PROJECTION, toMessage } from './messages.js';
import { afterTimeKey, type Doc, decodeCursor, encodeCursor, op, TIME_ID, toPage } from './paging.js';

type ChangeMethods = Pick<
  MessageStore,
  | 'recallMessage'
  | 'editMessage'
  | 'addReaction'
  | 'removeReaction'
  | 'summarizeReactions'
  | 'pinMessage'
  | 'unpinMessage'
  | 'listPinned'
  | 'listChanged'
  | 'listReplies'
  | 'searchMessages'
>;

const withSession = (session: ClientSession | undefined) => (session ? { session } : {});

export function messageChangeMethods(ready: () => Promise<Handle>): ChangeMethods {
  const read = async (handle: Handle, id: string, session?: ClientSession): Promise<Doc | null> =>
    handle.models.messages
      .findOne({ _id: toStoredId(id), seq: op({ $gt: 0 }) }, MESSAGE_PROJECTION, withSession(session))
      .lean<Doc>();

  /**
   * Raises the conversation's change counter and stamps the message with it; answers the message
   * as it is now, with the version this change got.
   */
  async function stamp(
    handle: Handle,
    conversationId: string,
    messageId: string,
    session: ClientSession | undefined,
  ): Promise<Doc | null> {
    const conversation = await handle.models.conversations
      .findOneAndUpdate(
        { _id: conversationId },
        { $inc: { lastVersion: 1 } },
        { returnDocument: 'after', projection: { lastVersion: 1 }, ...withSession(session) },
      )
      .lean<Doc>();
    // No conversation document: the change stands without a version, as in memoryStore.
    if (!conversation) return read(handle, messageId, session);
    const version = Number(conversation.lastVersion);
    const doc = await handle.models.messages
      .findOneAndUpdate(
        { _id: toStoredId(messageId) },
        { $max: { version } },
        { returnDocument: 'after', projection: MESSAGE_PROJECTION, ...withSession(session) },
      )
      .lean<Doc>();
    return doc ? { ...doc, version } : null;
  }

  /** Filters shared by listings: the roaming window and delete-for-me. */
  function visibility(query: { notBefore?: Date | undefined; viewerId?: string | undefined }): Doc {
    const filter: Doc = {};
    if (query.notBefore !== undefined) filter.createdAt = op({ $gte: query.notBefore });
    if (query.viewerId !== undefined) filter.hiddenFor = op({ $ne: toStoredId(query.viewerId) });
    return filter;
  }

  return {
    recallMessage: (id, by, at) =>
      guard(async () => {
        const handle = await ready();
        // A message is recalled once: a later recall keeps the first one's author, time and version.
        const doc = await inTransaction(handle, async (session) => {
          const changed = await handle.models.messages
            .findOneAndUpdate(
              { _id: toStoredId(id), seq: op({ $gt: 0 }), recalledAt: null },
              {
                $set: { content: '', recalledAt: at, recalledBy: toStoredId(by) },
                $unset: { searchTokens: '' },
              },
              { projection: { conversationId: 1 }, ...withSession(session) },
            )
            .lean<Doc>();
          if (!changed) return null;
          return stamp(handle, String(changed.conversationId), id, session);
        });
        const current = doc ?? (await read(handle, id));
        return current ? toMessage(current) : null;
      }),

    editMessage: (id, edit) =>
      guard(async () => {
        const handle = await ready();
        const tokens = [...new Set(edit.searchTokens)];
        const set = { content: edit.content, editedAt: edit.editedAt };
        const update =
          tokens.length > 0
            ? { $set: { ...set, searchTokens: tokens } }
            : { $set: set, $unset: { searchTokens: '' } };
        const doc = await inTransaction(handle, async (session) => {
          const changed = await handle.models.messages
            .findOneAndUpdate({ _id: toStoredId(id), seq: op({ $gt: 0 }), recalledAt: null }, update, {
              projection: { conversationId: 1 },
              ...withSession(session),
            })
            .lean<Doc>();
          if (!changed) return null;
          return stamp(handle, String(changed.conversationId), id, session);
        });
        return doc ? toMessage(doc) : null;
      }),

    addReaction: (reaction) =>
      guard(async () => {
        const handle = await ready();
        const target = await read(handle, reaction.messageId);
        if (!target) return { message: null, added: false };
        try {
          const doc = await inTransaction(handle, async (session) => {
            await handle.models.reactions.collection.insertOne(
              {
                messageId: toStoredId(reaction.messageId),
                userId: toStoredId(reaction.userId),
                emoji: reaction.emoji,
                createdAt: reaction.createdAt,
              },
              withSession(session),
            );
            return stamp(handle, String(target.conversationId), reaction.messageId, session);
          });
          return { message: toMessage(doc ?? target), added: true };
        } catch (error) {
          // The same (message, user, emoji) exists: nothing written, no version used.
          if (!isDuplicateKeyError(error)) throw error;
          const current = await read(handle, reaction.messageId);
          return { message: current ? toMessage(current) : null, added: false };
        }
      }),

    removeReaction: (messageId, userId, emoji) =>
      guard(async () => {
        const handle = await ready();
        const target = await read(handle, messageId);
        if (!target) return { message: null, removed: false };
        const doc = await inTransaction(handle, async (session) => {
          const { deletedCount } = await handle.models.reactions.collection.deleteOne(
            { messageId: toStoredId(messageId), userId: toStoredId(userId), emoji },
            withSession(session),
          );
          if (deletedCount === 0) return null;
          return stamp(handle, String(target.conversationId), messageId, session);
        });
        if (doc) return { message: toMessage(doc), removed: true };
        const current = await read(handle, messageId);
        return { message: current ? toMessage(current) : null, removed: false };
      }),

    summarizeReactions: (messageIds, viewerId) =>
      guard(async () => {
        const summaries = new Map<string, ReactionSummary[]>();
        const ids = [...new Set(messageIds)];
        if (ids.length === 0) return summaries;
        const { models } = await ready();
        const viewer = toStoredId(viewerId);
        const groups = await models.reactions.aggregate<{
          _id: { m: unknown; e: string };
          n: number;
          mine: number;
        }>([
          { $match: { messageId: { $in: ids.map(toStoredId) } } },
          { $sort: { createdAt: 1, _id: 1 } },
          {
            $group: {
              _id: { m: '$messageId', e: '$emoji' },
              n: { $sum: 1 },
              mine: { $max: { $cond: [{ $eq: ['$userId', viewer] }, 1, 0] } },
              firstAt: { $first: '$createdAt' },
              firstId: { $first: '$_id' },
            },
          },
          // First reaction first, per message.
          { $sort: { firstAt: 1, firstId: 1 } },
        ]);
        const byStored = new Map(ids.map((id) => [String(toStoredId(id)), id]));
        for (const group of groups) {
          const messageId = byStored.get(String(group._id.m));
          if (messageId === undefined) continue;
          let list = summaries.get(messageId);
          if (!list) {
            list = [];
            summaries.set(messageId, list);
          }
          list.push({ emoji: group._id.e, count: Number(group.n), mine: Number(group.mine) === 1 });
        }
        return summaries;
      }),

    pinMessage: (id, by, at, maxPins) =>
      guard(async () => {
        const handle = await ready();
        const { models } = handle;
        const result = await inTransaction(
          handle,
          async (session): Promise<Doc | 'missing' | 'already' | 'full'> => {
            const current = await models.messages
              .findOne(
                { _id: toStoredId(id), seq: op({ $gt: 0 }) },
                { conversationId: 1, pinnedAt: 1 },
                withSession(session),
              )
              .lean<Doc>();
            if (!current) return 'missing';
            if (current.pinnedAt instanceof Date) return 'already';
            const conversationId = String(current.conversationId);
            // Reserve a place: the conditional $inc is what makes the limit atomic.
            const reserved =
              maxPins > 0
                ? await models.conversations
                    .findOneAndUpdate(
                      {
                        _id: conversationId,
                        $or: [{ pinCount: op({ $lt: maxPins }) }, { pinCount: op({ $exists: false }) }],
                      },
                      { $inc: { pinCount: 1 } },
                      { projection: { _id: 1 }, ...withSession(session) },
                    )
                    .lean<Doc>()
                : null;
            if (!reserved) return 'full';
            const pinned = await models.messages
              .findOneAndUpdate(
                { _id: toStoredId(id), pinnedAt: null },
                { $set: { pinnedAt: at, pinnedBy: toStoredId(by) } },
                { projection: { _id: 1 }, ...withSession(session) },
              )
              .lean<Doc>();
            if (!pinned) {
              // Pinned meanwhile by someone else: give the place back.
              await models.conversations.updateOne(
                { _id: conversationId },
                { $inc: { pinCount: -1 } },
                withSession(session),
              );
              return 'already';
            }
            return (await stamp(handle, conversationId, id, session)) ?? 'missing';
          },
        );
        if (result === 'missing') return null;
        if (typeof result === 'string') {
          const doc = await read(handle, id);
          return doc ? { message: toMessage(doc), outcome: result } : null;
        }
        return { message: toMessage(result), outcome: 'pinned' as const };
      }),

    unpinMessage: (id) =>
      guard(async () => {
        const handle = await ready();
        const { models } = handle;
        const doc = await inTransaction(handle, async (session) => {
          const changed = await models.messages
            .findOneAndUpdate(
              { _id: toStoredId(id), seq: op({ $gt: 0 }), pinnedAt: op({ $type: 'date' }) },
              { $set: { pinnedAt: null, pinnedBy: null } },
              { projection: { conversationId: 1 }, ...withSession(session) },
            )
            .lean<Doc>();
          if (!changed) return null;
          const conversationId = String(changed.conversationId);
          await models.conversations.updateOne(
            { _id: conversationId },
            { $inc: { pinCount: -1 } },
            withSession(session),
          );
          return stamp(handle, conversationId, id, session);
        });
        if (doc) return { message: toMessage(doc), unpinned: true };
        const current = await read(handle, id);
        return current ? { message: toMessage(current), unpinned: false } : null;
      }),

    listPinned: (conversationId) =>
      guard(async () => {
        const { models } = await ready();
        // `$type: 'date'` is the pinned index's partial filter, so the planner can use it.
        const docs = await models.messages
          .find({ conversationId, pinnedAt: op({ $type: 'date' }), seq: op({ $gt: 0 }) }, MESSAGE_PROJECTION)
          .sort({ pinnedAt: -1, seq: -1 })
          .lean<Doc[]>();
        return docs.map(toMessage);
      }),

    listChanged: (conversationId, query) =>
      guard(async () => {
        const limit = query.limit;
        if (!(limit >= 1)) return { items: [], hasMore: false };
        const { models } = await ready();
        const docs = await models.messages
          .find(
            {
              conversationId,
              version: op({ $gt: query.afterVersion }),
              seq: op({ $gt: 0, $lte: query.maxSeq }),
              ...visibility(query),
            },
            MESSAGE_PROJECTION,
          )
          .sort({ version: 1 })
          .limit(limit + 1)
          .lean<Doc[]>();
        const hasMore = docs.length > limit;
        return { items: docs.slice(0, limit).map(toMessage), hasMore };
      }),

    listReplies: (messageId, query) =>
      guard(async () => {
        const cursor = decodeCursor(query.cursor, { s: 'number' });
        const limit = query.limit;
        if (!(limit >= 1)) return { items: [], hasMore: false, nextCursor: null };
        const { models } = await ready();
        const docs = await models.messages
          .find(
            {
              replyTo: toStoredId(messageId),
              seq: op({ $gt: cursor ? Number(cursor.s) : 0 }),
              ...visibility(query),
            },
            MESSAGE_PROJECTION,
          )
          .sort({ seq: 1 })
          .limit(limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toMessage), limit, (last: MessageRecord) => encodeCursor({ s: last.seq }));
      }),

    searchMessages: (query) =>
      guard(async () => {
        const cursor = decodeCursor(query.cursor, TIME_ID);
        const limit = query.limit;
        const tokens = [...new Set(query.tokens)];
        if (!(limit >= 1) || tokens.length === 0 || query.conversationIds.length === 0) {
          return { items: [], hasMore: false, nextCursor: null };
        }
        const { models } = await ready();
        const docs = await models.messages
          .find(
            {
              searchTokens: op({ $all: tokens }),
              conversationId: op({ $in: [...new Set(query.conversationIds)] }),
              seq: op({ $gt: 0 }),
              recalledAt: null,
              ...visibility(query),
              ...afterTimeKey('desc', 'createdAt', '_id', cursor),
            },
            MESSAGE_PROJECTION,
          )
          .sort({ createdAt: -1, _id: -1 })
          .limit(limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toMessage), limit, (last: MessageRecord) =>
          encodeCursor({ t: last.createdAt.getTime(), i: last.id }),
        );
      }),
  };
}
