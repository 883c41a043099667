import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `join_requests`: at most one pending request per (group, user), by a partial unique index. */
export const joinRequestSchema = new Schema(
  {
    _id: { type: IdType, required: true },
    groupId: { type: IdType, required: true },
    userId: { type: IdType, required: true },
    message: { type: String, default: null },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
    resolvedBy: { type: IdType, default: null },
  },
  collectionOptions('join_requests'),
);
joinRequestSchema.index(
  { groupId: 1, userId: 1 },
  { unique: true, partialFilterExpression: { status: 'pending' }, name: 'pending_pair_unique' },
);
joinRequestSchema.index({ groupId: 1, status: 1, createdAt: 1, _id: 1 }, { name: 'group_oldest' });
sanitizeQueries(joinRequestSchema);
