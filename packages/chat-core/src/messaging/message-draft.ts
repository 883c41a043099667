/**
 * The drafts the core hands to `appendMessage` for what users send: search tokens of the content,
 * computed when a store first reads them (a durable store as it writes; memoryStore derives them
 * from the stored content at its next search, see TOKENS_FROM_CONTENT).
 */
import {
  type ContentType,
  type ConversationType,
  type MessageDraft,
  TOKENS_FROM_CONTENT,
} from '../domain/records.js';
import { indexTokens } from './search-tokens.js';

/** What a user's message is made of before the store numbers it: the draft's own fields. */
export type ContentDraftFields = Pick<
  MessageDraft,
  | 'id'
  | 'conversationId'
  | 'type'
  | 'senderId'
  | 'receiverId'
  | 'groupId'
  | 'content'
  | 'contentType'
  | 'mentions'
  | 'mentionAll'
  | 'replyTo'
  | 'clientMsgId'
  | 'createdAt'
>;

// A class with the getter on its prototype: an object literal with a getter (or a property
// defined on it) is built on V8's slow path, about 1.5 µs per draft against 0.05. Fields are own
// and enumerable as in a plain draft; the token cache is a private field, so a structured clone
// of the draft holds exactly the record's fields.
class ContentDraft implements MessageDraft {
  id: string;
  conversationId: string;
  type: ConversationType;
  senderId: string;
  receiverId: string | null;
  groupId: string | null;
  content: string;
  contentType: ContentType;
  mentions: string[];
  mentionAll: boolean;
  replyTo: string | null;
  clientMsgId: string | null;
  createdAt: Date;
  recalledAt: Date | null = null;
  recalledBy: string | null = null;
  editedAt: Date | null = null;
  #tokens: readonly string[] | undefined;

  constructor(fields: ContentDraftFields) {
    this.id = fields.id;
    this.conversationId = fields.conversationId;
    this.type = fields.type;
    this.senderId = fields.senderId;
    this.receiverId = fields.receiverId;
    this.groupId = fields.groupId;
    this.content = fields.content;
    this.contentType = fields.contentType;
    this.mentions = fields.mentions;
    this.mentionAll = fields.mentionAll;
    this.replyTo = fields.replyTo;
    this.clientMsgId = fields.clientMsgId;
    this.createdAt = fields.createdAt;
  }

  get searchTokens(): readonly string[] {
    this.#tokens ??= this.contentType === 'text' ? indexTokens(this.content) : [];
    return this.#tokens;
  }

  get [TOKENS_FROM_CONTENT](): true {
    return true;
  }
}

/** A draft of a user's message whose search tokens are its content's, computed when first read. */
export function contentDraft(fields: ContentDraftFields): MessageDraft {
  return new ContentDraft(fields);
}
