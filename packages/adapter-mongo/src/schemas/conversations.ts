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
    lastMessageAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  collectionOptions('conversations'),
);
sanitizeQueries(conversationSchema);
