import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/**
 * `messages`. `seq` is absent only on a claim placeholder (see messages.ts of the store): the
 * partial unique index on (conversationId, seq) ignores placeholders and history reads always
 * filter `seq > 0`, so they never see one. `hiddenFor` lists the users who deleted the message for
 * themselves: history filters it on the documents the (conversationId, seq) index walks, which
 * keeps a page O(limit + hidden messages skipped) in one query.
 */
export const messageSchema = new Schema(
  {
    _id: { type: IdType, required: true },
    conversationId: { type: String, required: true },
    type: { type: String, required: true },
    senderId: { type: IdType, required: true },
    receiverId: { type: IdType, default: null },
    groupId: { type: IdType, default: null },
    content: { type: String, default: '' },
    contentType: { type: String, required: true },
    mentions: { type: [IdType], default: undefined },
    mentionAll: { type: Boolean, required: true },
    replyTo: { type: IdType, default: null },
    clientMsgId: { type: String, default: null },
    seq: { type: Number },
    createdAt: { type: Date, required: true },
    recalledAt: { type: Date, default: null },
    recalledBy: { type: IdType, default: null },
    hiddenFor: { type: [IdType], default: undefined },
    /** Set while a placeholder is claimed and not numbered yet. */
    claimToken: { type: String },
    claimedAt: { type: Date },
  },
  collectionOptions('messages'),
);
messageSchema.index(
  { conversationId: 1, seq: 1 },
  { unique: true, partialFilterExpression: { seq: { $gt: 0 } }, name: 'conversation_seq_unique' },
);
messageSchema.index(
  { senderId: 1, clientMsgId: 1 },
  {
    unique: true,
    partialFilterExpression: { clientMsgId: { $type: 'string' } },
    name: 'sender_client_msg_unique',
  },
);
messageSchema.index({ conversationId: 1, createdAt: 1, seq: 1 }, { name: 'conversation_created' });
sanitizeQueries(messageSchema);
