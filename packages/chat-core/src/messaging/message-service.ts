/** Sending, reading, recalling and deleting messages, and their receipts. */
import type { EngineContext, Origin } from '../context.js';
import type { ContentType } from '../domain/records.js';
import type { MessagePage, MessageView, Paginated, PublicUser } from '../domain/views.js';
import { notImplemented } from '../util/not-implemented.js';
import type { PageInput } from '../util/pagination.js';

export interface SendPrivateInput {
  receiverId: string;
  content: string;
  contentType?: ContentType;
  clientMsgId?: string;
  replyTo?: string;
}

export interface SendGroupInput {
  groupId: string;
  content: string;
  contentType?: ContentType;
  mentions?: string[];
  mentionAll?: boolean;
  clientMsgId?: string;
  replyTo?: string;
}

/** A history page request: at most one of `beforeSeq` and `afterSeq`. */
export interface HistoryInput {
  beforeSeq?: number;
  afterSeq?: number;
  limit?: number;
}

export interface MessageService {
  /**
   * Sends a private message: NOT_FOUND for an unknown receiver, BLOCKED across a block, NOT_FRIENDS
   * under the friends-only policy. The receiver and the sender's other connections get
   * `new_private_message`. A repeated `clientMsgId` answers the first message and emits nothing.
   */
  sendPrivate(senderId: string, input: SendPrivateInput, origin?: Origin): Promise<{ message: MessageView }>;
  /**
   * Sends a group message: NOT_GROUP_MEMBER, MUTED (with `details.mutedUntil`, or during mute-all
   * for plain members), FORBIDDEN for `mentionAll` by a plain member, VALIDATION_FAILED for a
   * mention of a non-member. Members get `new_group_message`, the mentioned get `mention`.
   */
  sendGroup(senderId: string, input: SendGroupInput, origin?: Origin): Promise<{ message: MessageView }>;
  /** Private history with a user (friendship not required: history survives unfriending). */
  privateHistory(userId: string, peerId: string, input?: HistoryInput): Promise<MessagePage>;
  /** Group history; NOT_GROUP_MEMBER for non-members. */
  groupHistory(userId: string, groupId: string, input?: HistoryInput): Promise<MessagePage>;
  /** Messages after `afterSeq` in any conversation of the caller (gap filling after reconnect). */
  sync(
    userId: string,
    input: { conversationId: string; afterSeq: number; limit?: number },
  ): Promise<MessagePage>;
  /**
   * Recalls a message: its sender within the recall window (RECALL_WINDOW_EXPIRED after), a group
   * owner/admin any time. Answers the tombstone; every party gets `message_recalled`.
   */
  recall(userId: string, messageId: string): Promise<{ message: MessageView }>;
  /** Hides a message from the caller's own history. NOT_FOUND when the caller cannot see it. */
  deleteForMe(userId: string, messageId: string): Promise<void>;
  /** Reads everything up to `seq` in a conversation; the sender of message `seq` gets `message_read`. */
  markRead(userId: string, conversationId: string, input: { seq: number }): Promise<void>;
  /** A recipient's device has the message; its sender gets `message_delivered` (once). */
  markDelivered(userId: string, messageId: string): Promise<void>;
  /** `message_status_update`: delivered or read, up to that message. */
  updateStatus(userId: string, input: { messageId: string; status: 'delivered' | 'read' }): Promise<void>;
  /** Members who have read a group message: its sender or the group's owner/admins only. */
  readers(userId: string, messageId: string, input?: PageInput): Promise<Paginated<PublicUser>>;
}

export function createMessageService(_ctx: EngineContext): MessageService {
  return {
    sendPrivate: () => notImplemented('messages.sendPrivate'),
    sendGroup: () => notImplemented('messages.sendGroup'),
    privateHistory: () => notImplemented('messages.privateHistory'),
    groupHistory: () => notImplemented('messages.groupHistory'),
    sync: () => notImplemented('messages.sync'),
    recall: () => notImplemented('messages.recall'),
    deleteForMe: () => notImplemented('messages.deleteForMe'),
    markRead: () => notImplemented('messages.markRead'),
    markDelivered: () => notImplemented('messages.markDelivered'),
    updateStatus: () => notImplemented('messages.updateStatus'),
    readers: () => notImplemented('messages.readers'),
  };
}
