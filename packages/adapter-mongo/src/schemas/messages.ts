import { Schema } from 'mongoose';
import { collectionOptions, IdType, sanitizeQueries } from './common.js';

/**
 * `messages`. `seq` is absent only on a claim placeholder (see messages.ts of the store): the
 * partial unique index on (conversationId, seq) ignores placeholders and history reads always
 * filter `seq > 0`, so they never see one. `hiddenFor` lists the users who deleted the message for
 * themselves: history filters it on the documents the (conversationId, seq) index walks, which
 * keeps a page O(limit + hidden messages skipped) in one query. Documents written before the
 * change fields existed lack them and read as never changed (version 0, no replies, unpinned).
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
    editedAt: { type: Date, default: null },
    /** The conversation's change counter at the message's last change (see conversations.lastVersion). */
    version: { type: Number, default: 0 },
    /** Messages whose replyTo is this one. */
    replyCount: { type: Number, default: 0 },
    pinnedAt: { type: Date, default: null },
    pinnedBy: { type: IdType, default: null },
    /**
     * The content's search tokens (computed by the core, never answered back): absent when none
     * and removed on recall, so a recalled message is never found.
     */
    searchTokens: { type: [String], default: undefined },
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
// listChanged: a conversation's messages by change version.
messageSchema.index({ conversationId: 1, version: 1 }, { name: 'conversation_version' });
// Threads: the replies of a message by seq.
messageSchema.index({ replyTo: 1, seq: 1 }, { name: 'thread' });
// Pins of a conversation, most recent first (queries say `pinnedAt: { $type: 'date' }`, the filter).
messageSchema.index(
  { conversationId: 1, pinnedAt: -1, seq: -1 },
  { name: 'conversation_pinned', partialFilterExpression: { pinnedAt: { $type: 'date' } } },
);
// Search: multikey on the tokens, then newest first (a one-token search reads it in order).
messageSchema.index({ searchTokens: 1, createdAt: -1, _id: -1 }, { name: 'search_tokens' });
sanitizeQueries(messageSchema);
