import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `friendships`: one document per side (A→B and B→A). */
export const friendshipSchema = new Schema(
  {
    userId: { type: IdType, required: true },
    friendId: { type: IdType, required: true },
    since: { type: Date, required: true },
  },
  collectionOptions('friendships'),
);
friendshipSchema.index({ userId: 1, friendId: 1 }, { unique: true, name: 'pair_unique' });
friendshipSchema.index({ userId: 1, since: 1, friendId: 1 }, { name: 'user_since' });
sanitizeQueries(friendshipSchema);
