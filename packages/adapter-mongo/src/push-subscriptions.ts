/** The push-subscriptions area: `push_subscriptions`, one document per browser endpoint. */
import type { PushSubscriptionRecord, PushSubscriptionStore } from '@parley/chat-core';
import type { Handle } from './connection.js';
import { guard, retryOnDuplicateKey } from './errors.js';
import { fromStoredId, toStoredId, toStoredIds } from './ids.js';
import { type Doc, date, op } from './paging.js';

function toRecord(doc: Doc): PushSubscriptionRecord {
  return {
    id: fromStoredId(doc.subscriptionId),
    userId: fromStoredId(doc.userId),
    endpoint: String(doc.endpoint),
    p256dh: String(doc.p256dh),
    auth: String(doc.auth),
    sessionId: typeof doc.sessionId === 'string' ? doc.sessionId : null,
    createdAt: date(doc.createdAt),
  };
}

export function mongoPushSubscriptionStore(ready: () => Promise<Handle>): PushSubscriptionStore {
  return {
    upsert: (subscription) =>
      guard(async () => {
        const { models } = await ready();
        const userId = toStoredId(subscription.userId);
        // Every value is a $literal: a caller's string that starts with `$` stays a string.
        const sameOwner = { $eq: ['$userId', { $literal: userId }] };
        // One atomic update pipeline: the same owner keeps the stored id and creation time (clients
        // hold the id), a new owner gets the new ones. Expressions in one $set stage read the
        // document as it was, so `$userId` is the previous owner; on insert it is missing and the
        // new values apply. Two first inserts of one endpoint race on its unique key; the loser
        // retries and updates.
        const doc = await retryOnDuplicateKey(() =>
          models.push_subscriptions.collection.findOneAndUpdate(
            { endpoint: subscription.endpoint },
            [
              {
                $set: {
                  subscriptionId: {
                    $cond: [sameOwner, '$subscriptionId', { $literal: toStoredId(subscription.id) }],
                  },
                  createdAt: { $cond: [sameOwner, '$createdAt', { $literal: subscription.createdAt }] },
                  userId: { $literal: userId },
                  endpoint: { $literal: subscription.endpoint },
                  p256dh: { $literal: subscription.p256dh },
                  auth: { $literal: subscription.auth },
                  sessionId: { $literal: subscription.sessionId },
                },
              },
            ],
            { upsert: true, returnDocument: 'after' },
          ),
        );
        if (!doc) throw new Error('push subscription upsert answered no document');
        return toRecord(doc as Doc);
      }),

    listByUser: (userId) =>
      guard(async () => {
        const { models } = await ready();
        const docs = await models.push_subscriptions
          .find({ userId: toStoredId(userId) })
          .sort({ createdAt: 1, _id: 1 })
          .lean<Doc[]>();
        return docs.map(toRecord);
      }),

    usersWithSubscriptions: (userIds) =>
      guard(async () => {
        if (userIds.length === 0) return new Set<string>();
        const { models } = await ready();
        const found: unknown[] = await models.push_subscriptions.distinct('userId', {
          userId: op({ $in: toStoredIds(userIds) }),
        });
        return new Set(found.map(fromStoredId));
      }),

    delete: (userId, id) =>
      guard(async () => {
        const { models } = await ready();
        const result = await models.push_subscriptions.deleteOne({
          subscriptionId: toStoredId(id),
          userId: toStoredId(userId),
        });
        return result.deletedCount === 1;
      }),

    deleteByEndpoint: (endpoint) =>
      guard(async () => {
        const { models } = await ready();
        await models.push_subscriptions.deleteOne({ endpoint });
      }),

    deleteBySession: (sessionId) =>
      guard(async () => {
        const { models } = await ready();
        await models.push_subscriptions.deleteMany({ sessionId });
      }),

    deleteAllOfUser: (userId) =>
      guard(async () => {
        const { models } = await ready();
        await models.push_subscriptions.deleteMany({ userId: toStoredId(userId) });
      }),
  };
}
