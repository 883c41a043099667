/** Sending, reading, recalling and deleting messages, and their receipts. */

import type { EngineContext, Origin } from '../context.js';
import { toMessageView, toPublicUser } from '../domain/mappers.js';
import type { ContentType, MessageDraft, MessageRecord } from '../domain/records.js';
import type { MessagePage, MessageView, Paginated, PublicUser, SyncPage } from '../domain/views.js';
import { ChatError } from '../errors.js';
import { applyBeforeSend } from '../integrations/hooks.js';
import type { HistoryQuery } from '../ports/store.js';
import { peerCursorFor, receiptsFlow } from '../privacy/receipts.js';
import type { PageInput } from '../util/pagination.js';
import { iso } from '../util/time.js';
import { parseInput } from '../util/validate.js';
import {
  isModerator,
  type Party,
  requireConversationParty,
  requireGroupMember,
  requireMessageParty,
  requirePrivatePeer,
} from './access.js';
import { groupConversationId, privateConversationId } from './conversation-ids.js';
import { newGroupConversation, newPrivateConversation } from './conversation-records.js';
import { createMessageChangeService, type MessageChangeService } from './message-change-service.js';
import { contentDraft } from './message-draft.js';
import { pageFor, viewFor, withReactions } from './message-views.js';
import { roamingStart } from './roaming.js';
import {
  checkContent,
  groupIdSchema,
  historySchema,
  markReadSchema,
  messageIdSchema,
  parseMessageId,
  parseSendPrivate,
  peerSchema,
  readersSchema,
  sendGroupSchema,
  syncSchema,
  updateStatusSchema,
} from './schemas.js';

/** `private_message` / `POST /api/messages/private/:friendId`. */
export interface SendPrivateInput {
  receiverId: string;
  content: string;
  contentType?: ContentType;
  clientMsgId?: string;
  replyTo?: string;
}

/** `group_message` / `POST /api/messages/group/:groupId`. */
export interface SendGroupInput {
  groupId: string;
  content: string;
  contentType?: ContentType;
  mentions?: string[];
  mentionAll?: boolean;
  clientMsgId?: string;
  replyTo?: string;
}

/**
 * A history page request: at most one of `beforeSeq` and `afterSeq`, each a JSON integer (a host
 * turns query-string digits into numbers first); anything else is VALIDATION_FAILED.
 */
export interface HistoryInput {
  beforeSeq?: number;
  afterSeq?: number;
  limit?: number;
}

/** Messages, history and receipts, and what happens to messages after (see {@link MessageChangeService}): `engine.messages`. */
export interface MessageService extends MessageChangeService {
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
  /**
   * Messages after `afterSeq` in any conversation of the caller (gap filling after reconnect) and,
   * with `afterVersion` (the `version` of the last sync), the older messages changed since:
   * recalled, edited, reacted to, pinned or unpinned. `version` is what to pass next time.
   */
  sync(
    userId: string,
    input: { conversationId: string; afterSeq: number; afterVersion?: number; limit?: number },
  ): Promise<SyncPage>;
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

/**
 * Above this many members a `mentionAll` raises no per-member mention cursor (one write per
 * member); the `mention` event still reaches the whole group.
 */
export const MENTION_ALL_CURSOR_LIMIT = 500;

function validationFailed(field: string, message: string, extra: Record<string, unknown> = {}): ChatError {
  return new ChatError('VALIDATION_FAILED', `Invalid input: ${field}: ${message}`, {
    details: { fields: { [field]: message }, ...extra },
  });
}

/** Builds `engine.messages` over the engine's context. */
/**
 * A `clientMsgId` is deduplicated per sender (see `MessageStore.appendMessage`). Its reuse in
 * another conversation is a client bug, not a retry: answering a message of another conversation
 * would silently swallow the new one, so it is refused and nothing is sent.
 */
function assertSameConversation(first: MessageRecord, conversationId: string): void {
  if (first.conversationId !== conversationId) {
    throw validationFailed('clientMsgId', 'already used for a message in another conversation');
  }
}

export function createMessageService(ctx: EngineContext): MessageService {
  const { store, config } = ctx;

  /** A reply must point at a message of the same conversation. */
  async function checkReplyTo(conversationId: string, replyTo: string): Promise<void> {
    const target = await store.messages.getMessage(replyTo);
    if (!target || target.conversationId !== conversationId) {
      throw new ChatError('NOT_FOUND', 'The message replied to is not in this conversation', {
        details: { field: 'replyTo' },
      });
    }
  }

  function draftOf(
    fields: Pick<MessageDraft, 'conversationId' | 'type' | 'senderId' | 'receiverId' | 'groupId'>,
    input: {
      content: string;
      contentType: ContentType;
      clientMsgId?: string | undefined;
      replyTo?: string | undefined;
      mentions?: string[];
      mentionAll?: boolean;
    },
    now: Date,
  ): MessageDraft {
    return contentDraft({
      id: ctx.ids.next(),
      conversationId: fields.conversationId,
      type: fields.type,
      senderId: fields.senderId,
      receiverId: fields.receiverId,
      groupId: fields.groupId,
      content: input.content,
      contentType: input.contentType,
      mentions: input.mentions ?? [],
      mentionAll: input.mentionAll ?? false,
      replyTo: input.replyTo ?? null,
      clientMsgId: input.clientMsgId ?? null,
      createdAt: now,
    });
  }

  /** A page of a conversation's history as `userId` sees it (roaming window, hidden, receipts). */
  async function historyPage(
    userId: string,
    conversationId: string,
    peerId: string | null,
    query: Pick<HistoryQuery, 'beforeSeq' | 'afterSeq' | 'limit'>,
  ): Promise<MessagePage> {
    const [page, peerCursor] = await Promise.all([
      store.messages.listMessages(conversationId, {
        ...query,
        notBefore: roamingStart(ctx),
        viewerId: userId,
      }),
      peerId === null ? null : peerCursorFor(ctx, userId, peerId, conversationId),
    ]);
    const mapped = pageFor(page, userId, peerCursor);
    await withReactions(store, mapped.messages, userId);
    return mapped;
  }

  /** The message holding `seq` in a conversation, or null. */
  async function messageAt(conversationId: string, seq: number): Promise<MessageRecord | null> {
    const { items } = await store.messages.listMessages(conversationId, { afterSeq: seq - 1, limit: 1 });
    const [message] = items;
    return message && message.seq === seq ? message : null;
  }

  async function markDeliveredOf(userId: string, message: MessageRecord, party: Party): Promise<void> {
    // The sender's own devices acknowledge its echo too: nothing to record for them.
    if (message.senderId === userId) return;
    const { before, after } = await store.messages.advanceCursor(
      userId,
      party.conversationId,
      { deliveredSeq: message.seq },
      ctx.clock.now(),
    );
    if (after.deliveredSeq <= (before?.deliveredSeq ?? 0)) return;
    if (message.contentType === 'system') return;
    ctx.emit(
      'message_delivered',
      { messageId: message.id, conversationId: message.conversationId, userId, seq: message.seq },
      { users: [message.senderId] },
    );
  }

  async function markReadOf(userId: string, party: Party, seq: number): Promise<void> {
    const conversation = await store.messages.getConversation(party.conversationId);
    const lastSeq = conversation?.lastSeq ?? 0;
    if (seq > lastSeq) {
      throw validationFailed('seq', `must be between 1 and ${lastSeq}`, { lastSeq });
    }
    const { before, after } = await store.messages.advanceCursor(
      userId,
      party.conversationId,
      { readSeq: seq, deliveredSeq: seq },
      ctx.clock.now(),
    );
    if (after.readSeq <= (before?.readSeq ?? 0)) return;
    const message = await messageAt(party.conversationId, seq);
    if (!message) return;
    // In a pair, the peer learns that everything up to seq is read even when seq is the reader's
    // own message; in a group, the sender of that message is told.
    const to = party.type === 'private' ? party.peerId : message.senderId;
    if (to === userId || message.contentType === 'system') return;
    // The cursor moved either way (the reader's unread count needs it); only the receipt is private.
    const pair = new Map((await store.users.getByIds([userId, to])).map((u) => [u.id, u]));
    if (!receiptsFlow(pair.get(userId), pair.get(to))) return;
    ctx.emit(
      'message_read',
      { messageId: message.id, readerId: userId, conversationId: party.conversationId, seq },
      { users: [to] },
    );
  }

  const changes = createMessageChangeService(ctx);

  return {
    ...changes,
    async sendPrivate(senderId, input, origin) {
      const data = parseSendPrivate(input);
      checkContent(data.contentType, data.content, config.maxTextLength);
      if (data.receiverId === senderId) throw validationFailed('receiverId', 'cannot be yourself');
      const receiver = await requirePrivatePeer(ctx, senderId, data.receiverId);
      const conversationId = privateConversationId(senderId, receiver.id);
      // Both checks are skipped outright when they have nothing to do: a send is the hot path,
      // and each awaited call costs a promise and a turn of the microtask queue.
      if (data.replyTo !== undefined) await checkReplyTo(conversationId, data.replyTo);
      const content =
        ctx.hooks.beforeSend === undefined
          ? data.content
          : await applyBeforeSend(ctx, {
              action: 'send',
              senderId,
              conversationType: 'private',
              conversationId,
              receiverId: receiver.id,
              content: data.content,
              contentType: data.contentType,
            });

      const now = ctx.clock.now();
      const conversation = await store.messages.ensureConversation(
        newPrivateConversation(senderId, receiver.id, now),
      );
      // Both sides see the conversation in their list from the first message on: the receiver's
      // cursor is made at zeros here, the sender's moves with the append.
      if (conversation.lastSeq === 0)
        await store.messages.advanceCursor(receiver.id, conversationId, {}, now);
      // The sender has read what they send: their cursor moves in the append's own write.
      const { message, created } = await store.messages.appendMessage(
        draftOf(
          { conversationId, type: 'private', senderId, receiverId: receiver.id, groupId: null },
          { ...data, content },
          now,
        ),
        { senderCursor: true },
      );
      if (!created) {
        assertSameConversation(message, conversationId);
        // A retry: answer the first message as it stands now, and tell nobody again. Its outbox
        // entries are written again (same ids: kept when they exist), for a first attempt whose
        // write failed or was cut short, so an answered message always has its webhook and push.
        ctx.integrations.capture('new_private_message', toMessageView(message, 'sent'), { redeliver: true });
        await ctx.integrations.settled();
        const peerCursor =
          message.type === 'private' && message.receiverId !== null
            ? await peerCursorFor(ctx, senderId, message.receiverId, message.conversationId)
            : null;
        return { message: viewFor(message, senderId, peerCursor) };
      }
      const view = toMessageView(message, 'sent');
      ctx.emit('new_private_message', view, {
        users: [receiver.id, senderId],
        exceptConnection: origin?.connectionId,
      });
      // An acknowledged message has its webhook and push entries stored (REST sends too).
      await ctx.integrations.settled();
      return { message: view };
    },

    async sendGroup(senderId, input, origin) {
      const data = parseInput(sendGroupSchema, input);
      checkContent(data.contentType, data.content, config.maxTextLength);
      const { group, member } = await requireGroupMember(ctx, senderId, data.groupId);
      const now = ctx.clock.now();
      if (member.mutedUntil !== null && member.mutedUntil.getTime() > now.getTime()) {
        throw new ChatError('MUTED', undefined, { details: { mutedUntil: iso(member.mutedUntil) } });
      }
      const moderator = isModerator(member);
      if (group.muteAll && !moderator) {
        throw new ChatError('MUTED', 'Only admins may talk while the group is muted', {
          details: { muteAll: true },
        });
      }
      if (data.mentionAll && !moderator) {
        throw new ChatError('FORBIDDEN', 'Only the owner and admins may mention everyone');
      }
      let memberIds: string[] = [];
      const wantsAllIds = data.mentionAll && group.memberCount <= MENTION_ALL_CURSOR_LIMIT;
      if (data.mentions.length > 0 || wantsAllIds) {
        memberIds = await store.groups.listMemberIds(group.id);
        const members = new Set(memberIds);
        const strangers = data.mentions.filter((id) => !members.has(id));
        if (strangers.length > 0) {
          throw validationFailed('mentions', `not members of the group: ${strangers.join(', ')}`, {
            notMembers: strangers,
          });
        }
      }
      const conversationId = groupConversationId(group.id);
      if (data.replyTo !== undefined) await checkReplyTo(conversationId, data.replyTo);
      const content =
        ctx.hooks.beforeSend === undefined
          ? data.content
          : await applyBeforeSend(ctx, {
              action: 'send',
              senderId,
              conversationType: 'group',
              conversationId,
              groupId: group.id,
              content: data.content,
              contentType: data.contentType,
            });

      await store.messages.ensureConversation(newGroupConversation(group.id, now));
      const { message, created } = await store.messages.appendMessage(
        draftOf(
          { conversationId, type: 'group', senderId, receiverId: null, groupId: group.id },
          { ...data, content },
          now,
        ),
        { senderCursor: true },
      );
      if (!created) {
        assertSameConversation(message, conversationId);
        ctx.integrations.capture('new_group_message', toMessageView(message), { redeliver: true });
        await ctx.integrations.settled();
        return { message: viewFor(message, senderId, null) };
      }
      const view = toMessageView(message);

      const mentioned = (data.mentionAll ? (wantsAllIds ? memberIds : []) : data.mentions).filter(
        (id) => id !== senderId,
      );
      if (mentioned.length > 0) {
        await Promise.all(
          mentioned.map((id) =>
            store.messages.advanceCursor(id, conversationId, { lastMentionSeq: message.seq }, now),
          ),
        );
      }
      const exceptConnection = origin?.connectionId;
      ctx.emit('new_group_message', view, { groups: [group.id], exceptConnection });
      const mention = { messageId: message.id, groupId: group.id, from: senderId };
      if (data.mentionAll) {
        ctx.emit('mention', mention, { groups: [group.id], exceptConnection });
      } else {
        const targets = data.mentions.filter((id) => id !== senderId);
        if (targets.length > 0) ctx.emit('mention', mention, { users: targets });
      }
      await ctx.integrations.settled();
      return { message: view };
    },

    async privateHistory(userId, peerId, input = {}) {
      const { peerId: peer } = parseInput(peerSchema, { peerId });
      const query = parseInput(historySchema, input);
      if (peer === userId) throw validationFailed('peerId', 'cannot be yourself');
      const user = await store.users.getById(peer);
      if (!user) throw new ChatError('NOT_FOUND', 'No such user');
      return historyPage(userId, privateConversationId(userId, peer), peer, query);
    },

    async groupHistory(userId, groupId, input = {}) {
      const { groupId: id } = parseInput(groupIdSchema, { groupId });
      const query = parseInput(historySchema, input);
      await requireGroupMember(ctx, userId, id);
      return historyPage(userId, groupConversationId(id), null, query);
    },

    async sync(userId, input) {
      const data = parseInput(syncSchema, input);
      const party = await requireConversationParty(ctx, userId, data.conversationId);
      const peerId = party.type === 'private' ? party.peerId : null;
      // The counter is read before the changes: a change stamped meanwhile has a higher version,
      // so the next sync from the version answered here still sees it.
      const conversation = await store.messages.getConversation(party.conversationId);
      const current = conversation?.lastVersion ?? 0;
      const [page, changes, peerCursor] = await Promise.all([
        historyPage(userId, party.conversationId, peerId, { afterSeq: data.afterSeq, limit: data.limit }),
        data.afterVersion === undefined || data.afterVersion >= current
          ? { items: [], hasMore: false }
          : store.messages.listChanged(party.conversationId, {
              afterVersion: data.afterVersion,
              maxSeq: data.afterSeq,
              limit: data.limit,
              notBefore: roamingStart(ctx),
              viewerId: userId,
            }),
        peerId === null ? null : peerCursorFor(ctx, userId, peerId, party.conversationId),
      ]);
      const changed = await withReactions(
        store,
        changes.items.map((m) => viewFor(m, userId, peerCursor)),
        userId,
      );
      return {
        messages: page.messages,
        changed,
        hasMore: page.hasMore || changes.hasMore,
        // More changes wait: continue from the last one served, not from the counter.
        version: changes.hasMore ? (changed.at(-1)?.version ?? current) : current,
      };
    },

    async recall(userId, messageId) {
      const { messageId: id } = parseInput(messageIdSchema, { messageId });
      const { message, party } = await requireMessageParty(ctx, userId, id);
      if (message.contentType === 'system')
        throw new ChatError('FORBIDDEN', 'System messages cannot be recalled');
      if (message.recalledAt !== null) return { message: viewFor(message, userId, null) };
      const now = ctx.clock.now();
      const withinWindow = now.getTime() - message.createdAt.getTime() <= config.recallWindowSeconds * 1000;
      const moderator = party.type === 'group' && isModerator(party.member);
      if (message.senderId === userId) {
        if (!withinWindow && !moderator) throw new ChatError('RECALL_WINDOW_EXPIRED');
      } else if (!moderator) {
        throw new ChatError('FORBIDDEN', 'Only the sender or a group admin may recall this message');
      }
      const recalled = await store.messages.recallMessage(message.id, userId, now);
      if (!recalled) throw new ChatError('NOT_FOUND', 'No such message');
      // Of two racing recalls the store keeps the first: only its author tells the parties.
      const mine = recalled.recalledBy === userId && recalled.recalledAt?.getTime() === now.getTime();
      if (mine) {
        ctx.emit(
          'message_recalled',
          { messageId: recalled.id, conversationId: recalled.conversationId, by: userId },
          party.type === 'group'
            ? { groups: [party.group.id] }
            : { users: [recalled.senderId, recalled.receiverId ?? party.peerId] },
        );
      }
      return { message: toMessageView(recalled) };
    },

    async deleteForMe(userId, messageId) {
      const { messageId: id } = parseInput(messageIdSchema, { messageId });
      try {
        await requireMessageParty(ctx, userId, id);
      } catch (error) {
        // Someone outside the conversation learns nothing about the message, not even its group.
        if (error instanceof ChatError && error.code === 'NOT_GROUP_MEMBER') {
          throw new ChatError('NOT_FOUND', 'No such message');
        }
        throw error;
      }
      await store.messages.hideMessage(userId, id);
    },

    async markRead(userId, conversationId, input) {
      const data = parseInput(markReadSchema, { ...input, conversationId });
      const party = await requireConversationParty(ctx, userId, data.conversationId);
      await markReadOf(userId, party, data.seq);
    },

    async markDelivered(userId, messageId) {
      const id = parseMessageId(messageId);
      const { message, party } = await requireMessageParty(ctx, userId, id);
      await markDeliveredOf(userId, message, party);
    },

    async updateStatus(userId, input) {
      const data = parseInput(updateStatusSchema, input);
      const { message, party } = await requireMessageParty(ctx, userId, data.messageId);
      if (data.status === 'delivered') {
        await markDeliveredOf(userId, message, party);
        return;
      }
      await markReadOf(userId, party, message.seq);
    },

    async readers(userId, messageId, input = {}) {
      const { messageId: id } = parseInput(messageIdSchema, { messageId });
      const page = parseInput(readersSchema, input);
      const { message, party } = await requireMessageParty(ctx, userId, id);
      if (party.type !== 'group') {
        throw validationFailed('messageId', 'readers are kept for group messages only');
      }
      if (message.senderId !== userId && !isModerator(party.member)) {
        throw new ChatError('FORBIDDEN', 'Only the sender or a group admin may see who read this');
      }
      const viewer = await store.users.getById(userId);
      // Read receipts off: the viewer sees nobody's reads, as they share none of their own.
      if (viewer && !viewer.privacy.sendReadReceipts) return { items: [], hasMore: false, nextCursor: null };
      const readers = await store.messages.listReaders(party.conversationId, message.seq, page);
      const candidates = readers.items.filter((readerId) => readerId !== message.senderId);
      const records = await store.users.getByIds(candidates);
      const sharing = new Map(
        records.filter((u) => u.privacy.sendReadReceipts).map((u) => [u.id, toPublicUser(u)]),
      );
      return {
        items: candidates.flatMap((readerId) => sharing.get(readerId) ?? []),
        hasMore: readers.hasMore,
        nextCursor: readers.nextCursor,
      };
    },
  };
}
