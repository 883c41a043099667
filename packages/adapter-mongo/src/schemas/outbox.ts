import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/**
 * `outbox`: pending deliveries. `leaseUntil`, `lastError` and `failedAt` are always written (null
 * when unset), so `failedAt: null` names exactly the entries that may still be claimed. `payload`
 * is the JSON text as enqueued, never parsed.
 */
export const outboxSchema = new Schema(
  {
    _id: { type: IdType, required: true },
    kind: { type: String, required: true },
    target: { type: String, required: true },
    payload: { type: String, required: true },
    attempts: { type: Number, required: true },
    dueAt: { type: Date, required: true },
    leaseUntil: { type: Date, default: null },
    lastError: { type: String, default: null },
    failedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('outbox'),
);
// claimDue: due entries in (dueAt, _id) order, over the entries that have not failed (an equality
// to null is a filter partial indexes accept; the claim's filter names it the same way).
outboxSchema.index({ dueAt: 1, _id: 1 }, { partialFilterExpression: { failedAt: null }, name: 'due_claim' });
sanitizeQueries(outboxSchema);
