import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `cursors`: a user's read/delivered/mention positions in one conversation. */
export const cursorSchema = new Schema(
  {
    userId: { type: IdType, required: true },
    conversationId: { type: String, required: true },
    readSeq: { type: Number, required: true },
    deliveredSeq: { type: Number, required: true },
    lastMentionSeq: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  collectionOptions('cursors'),
);
cursorSchema.index({ userId: 1, conversationId: 1 }, { unique: true, name: 'user_conversation_unique' });
cursorSchema.index({ conversationId: 1, readSeq: 1, userId: 1 }, { name: 'conversation_readers' });
// listReaders sorts by userId: this one serves the sort (readSeq filtered from the index entries).
cursorSchema.index({ conversationId: 1, userId: 1, readSeq: 1 }, { name: 'conversation_readers_by_user' });
sanitizeQueries(cursorSchema);
