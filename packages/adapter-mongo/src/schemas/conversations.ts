import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/** `conversations`: `_id` is the conversation id ('p:<a>:<b>' / 'g:<id>'); `lastSeq` is the seq counter. */
export const conversationSchema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    memberIds: { type: [IdType], default: undefined },
    groupId: { type: IdType, default: null },
    lastSeq: { type: Number, required: true },
    /** The change counter: raised by every change to an existing message; absent reads as 0. */
    lastVersion: { type: Number, default: 0 },
    /** Messages pinned here: reserved with a conditional `$inc` before a pin, so the limit holds. */
    pinCount: { type: Number, default: 0 },
    lastMessageAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('conversations'),
);
sanitizeQueries(conversationSchema);
