import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `friend_requests`: at most one pending request per (from, to), enforced by a partial unique index. */
export const friendRequestSchema = new Schema(
  {
    _id: { type: IdType, required: true },
    fromId: { type: IdType, required: true },
    toId: { type: IdType, required: true },
    message: { type: String, default: null },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    respondedAt: { type: Date, default: null },
  },
  collectionOptions('friend_requests'),
);
friendRequestSchema.index(
  { fromId: 1, toId: 1 },
  { unique: true, partialFilterExpression: { status: 'pending' }, name: 'pending_pair_unique' },
);
friendRequestSchema.index({ toId: 1, status: 1, createdAt: -1, _id: -1 }, { name: 'incoming' });
friendRequestSchema.index({ fromId: 1, status: 1, createdAt: -1, _id: -1 }, { name: 'outgoing' });
sanitizeQueries(friendRequestSchema);
