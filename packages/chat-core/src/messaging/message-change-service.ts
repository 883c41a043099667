/**
 * What happens to messages after they are sent: edits, reactions, pins, threads and search. Every
 * change stamps the message with its conversation's next change version, so `sync` with
 * `afterVersion` hands a client that was away every change it missed.
 */

import type { EngineContext } from '../context.js';
import { toMessageView } from '../domain/mappers.js';
import type { MessageRecord } from '../domain/records.js';
import type { MessagePage, MessageView } from '../domain/views.js';
import { ChatError } from '../errors.js';
import type { Audience } from '../events.js';
import { applyBeforeSend } from '../integrations/hooks.js';
import { peerCursorFor } from '../privacy/receipts.js';
import type { PageInput } from '../util/pagination.js';
import { iso } from '../util/time.js';
import { parseInput } from '../util/validate.js';
import { isModerator, type Party, requireConversationParty, requireMessageParty } from './access.js';
import { groupConversationId, parseConversationId } from './conversation-ids.js';
import { viewFor, withReactions } from './message-views.js';
import { roamingStart } from './roaming.js';
import {
  checkContent,
  conversationIdSchema,
  editSchema,
  MAX_PINS,
  MAX_REACTION_EMOJIS,
  messageIdSchema,
  pinSchema,
  reactSchema,
  searchMessagesSchema,
  threadSchema,
} from './schemas.js';
import { indexTokens, queryTokens } from './search-tokens.js';

/** `edit_message` / `PATCH /api/messages/:id`. */
export interface EditInput {
  content: string;
}

/** `react_message` / `POST /api/messages/:id/reactions`. */
export interface ReactInput {
  messageId: string;
  emoji: string;
  /** true adds the caller's reaction, false removes it. @default true */
  add?: boolean;
}

/** `GET /api/messages/search`. */
export interface SearchInput {
  q: string;
  conversationId?: string;
  cursor?: string;
  limit?: number;
}

/** Edits, reactions, pins, threads and search: part of `engine.messages`. */
export interface MessageChangeService {
  /**
   * Edits a text message: its sender only (FORBIDDEN for anyone else, for media or system
   * messages, for a recalled one, and after `editWindowSeconds`), not across a block (BLOCKED) or
   * while muted (MUTED). Every party gets `message_edited`. The same content changes nothing.
   */
  edit(userId: string, messageId: string, input: EditInput): Promise<{ message: MessageView }>;
  /**
   * Adds (`add`, the default) or removes the caller's reaction with one emoji: one per user per
   * emoji, on messages the caller can see (NOT_FOUND otherwise), never on recalled or system ones
   * (FORBIDDEN), not across a block, at most 50 distinct emojis per message. Parties get
   * `message_reaction` when something changed. Answers the message with its reactions.
   */
  react(userId: string, input: ReactInput): Promise<{ message: MessageView }>;
  /**
   * Pins a message of a conversation: either party of a private one, the owner and admins of a
   * group (FORBIDDEN for plain members), at most 50 per conversation (FORBIDDEN past it), never a
   * recalled message. Parties get `message_pinned`; pinning a pinned message changes nothing.
   */
  pin(
    userId: string,
    conversationId: string,
    input: { messageId: string },
  ): Promise<{ message: MessageView }>;
  /** Unpins (same rules as {@link pin}); parties get `message_unpinned` when it was pinned. */
  unpin(userId: string, conversationId: string, messageId: string): Promise<void>;
  /** The pinned messages of a conversation the caller is in, most recently pinned first. */
  pins(userId: string, conversationId: string): Promise<{ messages: MessageView[] }>;
  /** The replies to a message the caller can see, ascending by seq, page by page. */
  thread(
    userId: string,
    messageId: string,
    input?: PageInput,
  ): Promise<MessagePage & { nextCursor: string | null }>;
  /**
   * Searches what the caller may read (their conversations, or one of them; the roaming window;
   * never deleted-for-me or recalled messages) for text holding every word of `q`, Chinese,
   * Japanese and Korean included, newest first.
   */
  search(userId: string, input: SearchInput): Promise<MessagePage & { nextCursor: string | null }>;
}

/** Who hears of a change to a message of this conversation: both of a pair, a group's members. */
function audienceOf(party: Party, message: MessageRecord): Audience {
  if (party.type === 'group') return { groups: [party.group.id] };
  return { users: [message.senderId, message.receiverId ?? party.peerId] };
}

export function createMessageChangeService(ctx: EngineContext): MessageChangeService {
  const { store, config } = ctx;

  /** No change may go across a block in a pair, nor from a member muted in a group. */
  async function assertMayChange(userId: string, party: Party): Promise<void> {
    if (party.type === 'private') {
      const relation = await store.social.getRelation(userId, party.peerId);
      if (relation.aBlocksB || relation.bBlocksA) throw new ChatError('BLOCKED');
      return;
    }
    const { mutedUntil } = party.member;
    if (mutedUntil !== null && mutedUntil.getTime() > ctx.clock.now().getTime()) {
      throw new ChatError('MUTED', undefined, { details: { mutedUntil: iso(mutedUntil) } });
    }
  }

  /** The message as the caller sees it, reactions included. */
  async function viewOf(userId: string, message: MessageRecord, party: Party): Promise<MessageView> {
    const peerCursor =
      party.type === 'private'
        ? await peerCursorFor(ctx, userId, party.peerId, message.conversationId)
        : null;
    const [view] = await withReactions(store, [viewFor(message, userId, peerCursor)], userId);
    return view ?? toMessageView(message);
  }

  /** The message, in the conversation given, with the caller's right to pin there. */
  async function pinnable(userId: string, conversationId: string, messageId: string) {
    const party = await requireConversationParty(ctx, userId, conversationId);
    const message = await store.messages.getMessage(messageId);
    if (!message || message.conversationId !== party.conversationId) {
      throw new ChatError('NOT_FOUND', 'No such message in this conversation');
    }
    if (party.type === 'group' && !isModerator(party.member)) {
      throw new ChatError('FORBIDDEN', 'Only the owner and admins may pin in a group');
    }
    return { party, message };
  }

  /** Every conversation the user may search: their private pairs and current groups. */
  async function searchableConversations(userId: string): Promise<string[]> {
    const [cursors, memberships] = await Promise.all([
      store.messages.listCursorsOfUser(userId),
      store.groups.listMembershipsOfUser(userId),
    ]);
    const ids: string[] = [];
    for (const cursor of cursors) {
      const parsed = parseConversationId(cursor.conversationId);
      if (parsed?.type === 'private' && parsed.userIds.includes(userId)) ids.push(cursor.conversationId);
    }
    const groups = await store.groups.getMany(memberships.map((m) => m.groupId));
    for (const group of groups) if (group.dissolvedAt === null) ids.push(groupConversationId(group.id));
    return ids;
  }

  return {
    async edit(userId, messageId, input) {
      const data = parseInput(editSchema, { ...(input as object), messageId });
      const { message, party } = await requireMessageParty(ctx, userId, data.messageId);
      if (message.senderId !== userId) throw new ChatError('FORBIDDEN', 'Only the sender may edit a message');
      if (message.recalledAt !== null)
        throw new ChatError('FORBIDDEN', 'A recalled message cannot be edited');
      if (message.contentType !== 'text')
        throw new ChatError('FORBIDDEN', 'Only text messages can be edited');
      const now = ctx.clock.now();
      const window = config.editWindowSeconds;
      if (window > 0 && now.getTime() - message.createdAt.getTime() > window * 1000) {
        throw new ChatError('FORBIDDEN', 'The message is too old to edit', {
          details: { editWindowSeconds: window },
        });
      }
      checkContent('text', data.content, config.maxTextLength);
      await assertMayChange(userId, party);
      const content = await applyBeforeSend(ctx, {
        action: 'edit',
        senderId: userId,
        conversationType: party.type,
        conversationId: message.conversationId,
        ...(message.receiverId !== null ? { receiverId: message.receiverId } : {}),
        ...(message.groupId !== null ? { groupId: message.groupId } : {}),
        messageId: message.id,
        content: data.content,
        contentType: 'text',
      });
      if (content === message.content) return { message: await viewOf(userId, message, party) };
      const edited = await store.messages.editMessage(message.id, {
        content,
        editedAt: now,
        searchTokens: indexTokens(content),
      });
      // Recalled in the meantime: the recall wins.
      if (!edited) throw new ChatError('FORBIDDEN', 'A recalled message cannot be edited');
      ctx.emit(
        'message_edited',
        {
          messageId: edited.id,
          conversationId: edited.conversationId,
          content: edited.content,
          editedAt: iso(now),
          version: edited.version,
        },
        audienceOf(party, edited),
      );
      return { message: await viewOf(userId, edited, party) };
    },

    async react(userId, input) {
      const data = parseInput(reactSchema, input);
      const { message, party } = await requireMessageParty(ctx, userId, data.messageId);
      if (message.recalledAt !== null)
        throw new ChatError('FORBIDDEN', 'A recalled message takes no reactions');
      if (message.contentType === 'system')
        throw new ChatError('FORBIDDEN', 'System messages take no reactions');
      await assertMayChange(userId, party);
      let changed: MessageRecord;
      if (data.add) {
        const summary = (await store.messages.summarizeReactions([message.id], userId)).get(message.id) ?? [];
        if (summary.length >= MAX_REACTION_EMOJIS && !summary.some((s) => s.emoji === data.emoji)) {
          throw new ChatError(
            'FORBIDDEN',
            `A message takes at most ${MAX_REACTION_EMOJIS} different emojis`,
            {
              details: { max: MAX_REACTION_EMOJIS },
            },
          );
        }
        const { message: after, added } = await store.messages.addReaction({
          messageId: message.id,
          userId,
          emoji: data.emoji,
          createdAt: ctx.clock.now(),
        });
        if (!after) throw new ChatError('NOT_FOUND', 'No such message');
        if (!added) return { message: await viewOf(userId, after, party) };
        changed = after;
      } else {
        const { message: after, removed } = await store.messages.removeReaction(
          message.id,
          userId,
          data.emoji,
        );
        if (!after) throw new ChatError('NOT_FOUND', 'No such message');
        if (!removed) return { message: await viewOf(userId, after, party) };
        changed = after;
      }
      ctx.emit(
        'message_reaction',
        {
          messageId: changed.id,
          conversationId: changed.conversationId,
          userId,
          emoji: data.emoji,
          add: data.add,
          version: changed.version,
        },
        audienceOf(party, changed),
      );
      return { message: await viewOf(userId, changed, party) };
    },

    async pin(userId, conversationId, input) {
      const data = parseInput(pinSchema, { ...(input as object), conversationId });
      const { party, message } = await pinnable(userId, data.conversationId, data.messageId);
      if (message.recalledAt !== null)
        throw new ChatError('FORBIDDEN', 'A recalled message cannot be pinned');
      const result = await store.messages.pinMessage(message.id, userId, ctx.clock.now(), MAX_PINS);
      if (!result) throw new ChatError('NOT_FOUND', 'No such message');
      if (result.outcome === 'full') {
        throw new ChatError('FORBIDDEN', `A conversation holds at most ${MAX_PINS} pinned messages`, {
          details: { max: MAX_PINS },
        });
      }
      if (result.outcome === 'pinned') {
        ctx.emit(
          'message_pinned',
          {
            conversationId: party.conversationId,
            messageId: message.id,
            by: userId,
            version: result.message.version,
          },
          audienceOf(party, result.message),
        );
      }
      return { message: await viewOf(userId, result.message, party) };
    },

    async unpin(userId, conversationId, messageId) {
      const data = parseInput(pinSchema, { conversationId, messageId });
      const { party, message } = await pinnable(userId, data.conversationId, data.messageId);
      const result = await store.messages.unpinMessage(message.id);
      if (!result) throw new ChatError('NOT_FOUND', 'No such message');
      if (!result.unpinned) return;
      ctx.emit(
        'message_unpinned',
        {
          conversationId: party.conversationId,
          messageId: message.id,
          by: userId,
          version: result.message.version,
        },
        audienceOf(party, result.message),
      );
    },

    async pins(userId, conversationId) {
      const data = parseInput(conversationIdSchema, { conversationId });
      const party = await requireConversationParty(ctx, userId, data.conversationId);
      const pinned = await store.messages.listPinned(party.conversationId);
      const peerCursor =
        party.type === 'private'
          ? await peerCursorFor(ctx, userId, party.peerId, party.conversationId)
          : null;
      const notBefore = roamingStart(ctx);
      const visible = pinned.filter(
        (m) => notBefore === undefined || m.createdAt.getTime() >= notBefore.getTime(),
      );
      return {
        messages: await withReactions(
          store,
          visible.map((m) => viewFor(m, userId, peerCursor)),
          userId,
        ),
      };
    },

    async thread(userId, messageId, input = {}) {
      const { messageId: id } = parseInput(messageIdSchema, { messageId });
      const page = parseInput(threadSchema, input);
      const { message, party } = await requireMessageParty(ctx, userId, id);
      const replies = await store.messages.listReplies(message.id, {
        ...page,
        notBefore: roamingStart(ctx),
        viewerId: userId,
      });
      const peerCursor =
        party.type === 'private'
          ? await peerCursorFor(ctx, userId, party.peerId, party.conversationId)
          : null;
      return {
        messages: await withReactions(
          store,
          replies.items.map((m) => viewFor(m, userId, peerCursor)),
          userId,
        ),
        hasMore: replies.hasMore,
        nextCursor: replies.nextCursor,
      };
    },

    async search(userId, input) {
      const data = parseInput(searchMessagesSchema, input);
      const tokens = queryTokens(data.q);
      if (tokens.length === 0) {
        throw new ChatError('VALIDATION_FAILED', 'Invalid input: q: must hold a word to search for', {
          details: { fields: { q: 'must hold a word to search for' } },
        });
      }
      const conversationIds =
        data.conversationId === undefined
          ? await searchableConversations(userId)
          : [(await requireConversationParty(ctx, userId, data.conversationId)).conversationId];
      const page = await store.messages.searchMessages({
        tokens,
        conversationIds,
        viewerId: userId,
        notBefore: roamingStart(ctx),
        cursor: data.cursor,
        limit: data.limit,
      });
      // Results span conversations: no receipt status (it needs each peer's cursor).
      const views = page.items.map((m) => toMessageView(m));
      return {
        messages: await withReactions(store, views, userId),
        hasMore: page.hasMore,
        nextCursor: page.nextCursor,
      };
    },
  } satisfies MessageChangeService;
}
