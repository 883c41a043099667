/**
 * `system` messages: the core writes them into a group's history for membership changes (join,
 * leave, kick, mute, announcement, dissolve), so members who were offline see them in order.
 * Clients can never send this content type.
 */
import type { EngineContext } from '../context.js';
import { toMessageView } from '../domain/mappers.js';
import type { MessageView } from '../domain/views.js';
import { groupConversationId } from './conversation-ids.js';
import { newGroupConversation } from './conversation-records.js';

/** Sender id of a system message that no user caused. */
export const SYSTEM_SENDER_ID = 'system';

/** What {@link postSystemMessage} needs of the engine (any `EngineContext` will do). */
export type SystemMessageContext = Pick<EngineContext, 'store' | 'clock' | 'ids' | 'emit'>;

/** Extra facts of a system message. */
export interface SystemMessageData {
  /** The user whose action the message records; becomes its `senderId`. @default 'system' */
  actorId?: string | null | undefined;
}

/**
 * Appends a `system` message with the given readable `content` to the group's history (creating
 * the group conversation when needed) and emits `new_group_message` to the group's room. Answers
 * the message as members see it. It checks nothing: the groups service calls it after its own
 * checks, once the membership change is stored. The actor's read cursor moves past it (when they
 * hold one); for everyone else it counts as unread like any message.
 */
export async function postSystemMessage(
  ctx: SystemMessageContext,
  groupId: string,
  content: string,
  data: SystemMessageData = {},
): Promise<MessageView> {
  const now = ctx.clock.now();
  await ctx.store.messages.ensureConversation(newGroupConversation(groupId, now));
  const { message } = await ctx.store.messages.appendMessage({
    id: ctx.ids.next(),
    conversationId: groupConversationId(groupId),
    type: 'group',
    senderId: data.actorId ?? SYSTEM_SENDER_ID,
    receiverId: null,
    groupId,
    content,
    contentType: 'system',
    mentions: [],
    mentionAll: false,
    replyTo: null,
    clientMsgId: null,
    createdAt: now,
    recalledAt: null,
    recalledBy: null,
    editedAt: null,
    searchTokens: [],
  });
  const actorId = data.actorId ?? null;
  if (actorId !== null) {
    // The actor has seen their own action. Only an existing cursor moves: one who just left or
    // was removed has none, and must not get one back.
    const cursor = await ctx.store.messages.getCursor(actorId, message.conversationId);
    if (cursor) {
      await ctx.store.messages.advanceCursor(
        actorId,
        message.conversationId,
        { readSeq: message.seq, deliveredSeq: message.seq },
        now,
      );
    }
  }
  const view = toMessageView(message);
  ctx.emit('new_group_message', view, { groups: [groupId] });
  return view;
}
