import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/**
 * `push_subscriptions`: one document per browser endpoint (unique). The subscription's own id
 * lives in `subscriptionId` (unique), not `_id`, because a new owner taking the endpoint over
 * gives it a new id and `_id` cannot change.
 */
export const pushSubscriptionSchema = new Schema(
  {
    subscriptionId: { type: IdType, required: true },
    userId: { type: IdType, required: true },
    endpoint: { type: String, required: true },
    p256dh: { type: String, required: true },
    auth: { type: String, required: true },
    /** The subscribing session's token id (null for sessionless subscriptions and older ones). */
    sessionId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('push_subscriptions'),
);
pushSubscriptionSchema.index({ endpoint: 1 }, { unique: true, name: 'endpoint_unique' });
pushSubscriptionSchema.index({ subscriptionId: 1 }, { unique: true, name: 'subscription_id_unique' });
// listByUser (oldest first), usersWithSubscriptions and delete.
pushSubscriptionSchema.index({ userId: 1, createdAt: 1, _id: 1 }, { name: 'user_subscriptions' });
// deleteBySession: the subscriptions of an ended session.
pushSubscriptionSchema.index({ sessionId: 1 }, { name: 'session_subscriptions' });
sanitizeQueries(pushSubscriptionSchema);
