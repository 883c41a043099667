/** The sessions area: `sessions`, keyed by the token's jti; expired ones are purged by TTL. */
import type { SessionRecord, SessionStore } from '@parley/chat-core';
import type { Handle } from './connection.js';
import { guard, retryOnDuplicateKey } from './errors.js';
import { fromStoredId, toStoredId } from './ids.js';
import { type Doc, date, op, stringOrNull } from './paging.js';

/** The most sessions `listByUser` answers (the port's bound). */
const LIST_LIMIT = 100;

function toRecord(doc: Doc): SessionRecord {
  return {
    id: String(doc._id),
    userId: fromStoredId(doc.userId),
    userAgent: stringOrNull(doc.userAgent),
    ip: stringOrNull(doc.ip),
    createdAt: date(doc.createdAt),
    lastSeenAt: date(doc.lastSeenAt),
    expiresAt: date(doc.expiresAt),
  };
}

export function mongoSessionStore(ready: () => Promise<Handle>): SessionStore {
  return {
    create: (session) =>
      guard(async () => {
        const { models } = await ready();
        const replacement: Doc = {
          userId: toStoredId(session.userId),
          userAgent: session.userAgent,
          ip: session.ip,
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
          expiresAt: session.expiresAt,
        };
        // An existing id is replaced; two first inserts of one id may race on `_id`, the loser
        // retries and replaces.
        await retryOnDuplicateKey(() =>
          models.sessions.collection.replaceOne({ _id: session.id as never }, replacement, { upsert: true }),
        );
      }),

    get: (id) =>
      guard(async () => {
        const { models } = await ready();
        const doc = await models.sessions.findOne({ _id: id }).lean<Doc>();
        return doc ? toRecord(doc) : null;
      }),

    listByUser: (userId, now) =>
      guard(async () => {
        const { models } = await ready();
        // The TTL monitor runs about once a minute: the filter keeps sessions it has not reached yet out.
        const docs = await models.sessions
          .find({ userId: toStoredId(userId), expiresAt: op({ $gt: now }) })
          .sort({ lastSeenAt: -1, _id: 1 })
          .limit(LIST_LIMIT)
          .lean<Doc[]>();
        return docs.map(toRecord);
      }),

    touch: (id, at) =>
      guard(async () => {
        const { models } = await ready();
        // $max only ever moves the time forward, and matchedCount still says whether it exists.
        const result = await models.sessions.updateOne({ _id: id }, { $max: { lastSeenAt: at } });
        return result.matchedCount === 1;
      }),

    delete: (userId, id) =>
      guard(async () => {
        const { models } = await ready();
        const result = await models.sessions.deleteOne({ _id: id, userId: toStoredId(userId) });
        return result.deletedCount === 1;
      }),

    deleteAllOfUser: (userId) =>
      guard(async () => {
        const { models } = await ready();
        await models.sessions.deleteMany({ userId: toStoredId(userId) });
      }),
  };
}
