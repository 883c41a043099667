import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `reactions`: one per (message, user, emoji); summaries order emojis by their first `createdAt`, then `_id`. */
export const reactionSchema = new Schema(
  {
    messageId: { type: IdType, required: true },
    userId: { type: IdType, required: true },
    emoji: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('reactions'),
);
// One reaction per user and emoji; also what the summaries of a page of messages read.
reactionSchema.index({ messageId: 1, userId: 1, emoji: 1 }, { unique: true, name: 'reaction_unique' });
sanitizeQueries(reactionSchema);
