import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `blocks`: `blockerId` has blacklisted `blockedId`. */
export const blockSchema = new Schema(
  {
    blockerId: { type: IdType, required: true },
    blockedId: { type: IdType, required: true },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('blocks'),
);
blockSchema.index({ blockerId: 1, blockedId: 1 }, { unique: true, name: 'pair_unique' });
blockSchema.index({ blockedId: 1 }, { name: 'blocked' });
blockSchema.index({ blockerId: 1, createdAt: -1, blockedId: -1 }, { name: 'blocker_newest' });
sanitizeQueries(blockSchema);
