import type {
  BlockRecord,
  FriendRequestRecord,
  FriendRequestStatus,
  FriendshipRecord,
  Page,
  SocialStore,
} from '@parley/chat-core';
import type { Handle } from './connection.js';
import { guard, insertOrFindWinner, isDuplicateKeyError } from './errors.js';
import { fromStoredId, toStoredId, toStoredIds } from './ids.js';
import {
  afterTimeKey,
  type Doc,
  date,
  dateOrNull,
  decodeCursor,
  encodeCursor,
  op,
  stringOrNull,
  TIME_ID,
  toPage,
} from './paging.js';

function toRequest(doc: Doc): FriendRequestRecord {
  return {
    id: fromStoredId(doc._id),
    fromId: fromStoredId(doc.fromId),
    toId: fromStoredId(doc.toId),
    message: stringOrNull(doc.message),
    status: doc.status as FriendRequestStatus,
    createdAt: date(doc.createdAt),
    respondedAt: dateOrNull(doc.respondedAt),
  };
}

function toFriendship(doc: Doc): FriendshipRecord {
  return { userId: fromStoredId(doc.userId), friendId: fromStoredId(doc.friendId), since: date(doc.since) };
}

function toBlock(doc: Doc): BlockRecord {
  return {
    blockerId: fromStoredId(doc.blockerId),
    blockedId: fromStoredId(doc.blockedId),
    createdAt: date(doc.createdAt),
  };
}

/** The social area: `friend_requests`, `friendships` (one document per side) and `blocks`. */
export function mongoSocialStore(ready: () => Promise<Handle>): SocialStore {
  async function findPending(fromId: string, toId: string): Promise<Doc | null> {
    const { models } = await ready();
    return models.friend_requests
      .findOne({ fromId: toStoredId(fromId), toId: toStoredId(toId), status: 'pending' })
      .lean<Doc>();
  }

  return {
    createRequest: (request) =>
      guard(async () => {
        const { models } = await ready();
        const doc: Doc = {
          _id: toStoredId(request.id),
          fromId: toStoredId(request.fromId),
          toId: toStoredId(request.toId),
          message: request.message,
          status: 'pending',
          createdAt: request.createdAt,
          respondedAt: null,
        };
        // The partial unique index on pending (fromId, toId) decides concurrent creates.
        const stored = await insertOrFindWinner(
          doc,
          () => models.friend_requests.collection.insertOne(doc),
          () => findPending(request.fromId, request.toId),
        );
        return { request: toRequest(stored.doc), created: stored.created };
      }),

    getRequest: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.friend_requests.findOne({ _id: toStoredId(id) }).lean<Doc>();
        return doc ? toRequest(doc) : null;
      }),

    getPendingRequest: (fromId, toId) =>
      guard(async () => {
        const doc = await findPending(fromId, toId);
        return doc ? toRequest(doc) : null;
      }),

    listPendingRequests: (userId, direction, page): Promise<Page<FriendRequestRecord>> =>
      guard(async () => {
        const { models } = await ready();
        const side = direction === 'incoming' ? 'toId' : 'fromId';
        const cursor = decodeCursor(page.cursor, TIME_ID);
        const docs = await models.friend_requests
          .find({
            [side]: toStoredId(userId),
            status: 'pending',
            ...afterTimeKey('desc', 'createdAt', '_id', cursor),
          })
          .sort({ createdAt: -1, _id: -1 })
          .limit(page.limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toRequest), page.limit, (last) =>
          encodeCursor({ t: last.createdAt.getTime(), i: last.id }),
        );
      }),

    resolveRequest: (id, status, at) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.friend_requests
          .findOneAndUpdate(
            { _id: toStoredId(id), status: 'pending' },
            { $set: { status, respondedAt: at } },
            { returnDocument: 'after' },
          )
          .lean<Doc>();
        return doc ? toRequest(doc) : null;
      }),

    deletePendingBetween: (a, b) =>
      guard(async () => {
        const { models } = await ready();
        const [ka, kb] = [toStoredId(a), toStoredId(b)];
        const result = await models.friend_requests.deleteMany({
          status: 'pending',
          $or: [
            { fromId: ka, toId: kb },
            { fromId: kb, toId: ka },
          ],
        });
        return result.deletedCount;
      }),

    addFriendship: (a, b, since) =>
      guard(async () => {
        const { models } = await ready();
        // The side from the smaller id decides (its unique key makes exactly one concurrent call
        // win); the other side is an idempotent upsert, which also repairs a half-written pair.
        const [first, second] = a < b ? [a, b] : [b, a];
        let created = true;
        try {
          await models.friendships.collection.insertOne({
            userId: toStoredId(first),
            friendId: toStoredId(second),
            since,
          });
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          created = false;
        }
        try {
          await models.friendships.collection.updateOne(
            { userId: toStoredId(second), friendId: toStoredId(first) },
            { $setOnInsert: { since } },
            { upsert: true },
          );
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
        return created;
      }),

    removeFriendship: (a, b) =>
      guard(async () => {
        const { models } = await ready();
        const [ka, kb] = [toStoredId(a), toStoredId(b)];
        const result = await models.friendships.deleteMany({
          $or: [
            { userId: ka, friendId: kb },
            { userId: kb, friendId: ka },
          ],
        });
        return result.deletedCount > 0;
      }),

    getRelation: (a, b) =>
      guard(async () => {
        const { models } = await ready();
        const [ka, kb] = [toStoredId(a), toStoredId(b)];
        const [friendship, blocks] = await Promise.all([
          models.friendships.findOne({ userId: ka, friendId: kb }).lean<Doc>(),
          models.blocks
            .find({
              $or: [
                { blockerId: ka, blockedId: kb },
                { blockerId: kb, blockedId: ka },
              ],
            })
            .lean<Doc[]>(),
        ]);
        const records = blocks.map(toBlock);
        return {
          friendship: friendship ? toFriendship(friendship) : null,
          aBlocksB: records.some((r) => r.blockerId === a && r.blockedId === b),
          bBlocksA: records.some((r) => r.blockerId === b && r.blockedId === a),
        };
      }),

    listFriends: (userId, page) =>
      guard(async () => {
        const { models } = await ready();
        const cursor = decodeCursor(page.cursor, TIME_ID);
        const docs = await models.friendships
          .find({ userId: toStoredId(userId), ...afterTimeKey('asc', 'since', 'friendId', cursor) })
          .sort({ since: 1, friendId: 1 })
          .limit(page.limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toFriendship), page.limit, (last) =>
          encodeCursor({ t: last.since.getTime(), i: last.friendId }),
        );
      }),

    listFriendIds: (userId) =>
      guard(async () => {
        const { models } = await ready();
        const docs = await models.friendships
          .find({ userId: toStoredId(userId) }, { friendId: 1, _id: 0 })
          .lean<Doc[]>();
        return docs.map((doc) => fromStoredId(doc.friendId));
      }),

    addBlock: (block) =>
      guard(async () => {
        const { models } = await ready();
        try {
          await models.blocks.collection.insertOne({
            blockerId: toStoredId(block.blockerId),
            blockedId: toStoredId(block.blockedId),
            createdAt: block.createdAt,
          });
          return true;
        } catch (error) {
          if (isDuplicateKeyError(error)) return false;
          throw error;
        }
      }),

    removeBlock: (blockerId, blockedId) =>
      guard(async () => {
        const { models } = await ready();
        const result = await models.blocks.deleteOne({
          blockerId: toStoredId(blockerId),
          blockedId: toStoredId(blockedId),
        });
        return result.deletedCount === 1;
      }),

    listBlocks: (blockerId, page) =>
      guard(async () => {
        const { models } = await ready();
        const cursor = decodeCursor(page.cursor, TIME_ID);
        const docs = await models.blocks
          .find({
            blockerId: toStoredId(blockerId),
            ...afterTimeKey('desc', 'createdAt', 'blockedId', cursor),
          })
          .sort({ createdAt: -1, blockedId: -1 })
          .limit(page.limit + 1)
          .lean<Doc[]>();
        return toPage(docs.map(toBlock), page.limit, (last) =>
          encodeCursor({ t: last.createdAt.getTime(), i: last.blockedId }),
        );
      }),

    filterBlockedEither: (userId, candidateIds) =>
      guard(async () => {
        if (candidateIds.length === 0) return new Set<string>();
        const { models } = await ready();
        const me = toStoredId(userId);
        const others = toStoredIds(candidateIds);
        const docs = await models.blocks
          .find({
            $or: [
              { blockerId: me, blockedId: op({ $in: others }) },
              { blockedId: me, blockerId: op({ $in: [...others] }) },
            ],
          })
          .lean<Doc[]>();
        const found = new Set<string>();
        for (const doc of docs) {
          const blocker = fromStoredId(doc.blockerId);
          found.add(blocker === userId ? fromStoredId(doc.blockedId) : blocker);
        }
        return found;
      }),
  };
}
