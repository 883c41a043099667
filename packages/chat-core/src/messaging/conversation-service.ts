/** The conversation list: one entry per private pair or group, newest activity first. */

import type { EngineContext } from '../context.js';
import { toGroupCard, toPublicUser, unknownUser } from '../domain/mappers.js';
import type {
  ConversationCursorRecord,
  ConversationRecord,
  GroupRecord,
  UserRecord,
} from '../domain/records.js';
import type { ConversationView, Paginated, PublicUser } from '../domain/views.js';
import { cursorAsSeen, receiptsFlow } from '../privacy/receipts.js';
import {
  newestFirst,
  type PageInput,
  pageInputSchema,
  pageOfSorted,
  type TimeIdPosition,
} from '../util/pagination.js';
import { parseInput } from '../util/validate.js';
import { groupConversationId, parseConversationId } from './conversation-ids.js';
import { newGroupConversation } from './conversation-records.js';
import { viewFor } from './message-views.js';
import { roamingStart } from './roaming.js';

/** The conversation list: `engine.conversations`. */
export interface ConversationService {
  /**
   * The caller's conversations with last message, unread count (from read cursors, never by
   * counting messages) and mentioned flag, newest first: the whole list, as the contract's
   * `GET /api/conversations` answers it.
   */
  list(userId: string): Promise<ConversationView[]>;
  /**
   * One page of {@link list} (`limit` 1 to 100, default 50; `cursor` from the previous page).
   * Only the page's conversations have their last message read, so a page costs O(limit) reads
   * whatever the number of conversations.
   */
  page(userId: string, input?: PageInput): Promise<Paginated<ConversationView>>;
}

/** One conversation of the list before its last message is fetched. */
interface Entry {
  conversation: ConversationRecord;
  /** Null for a group the user is in but holds no cursor for: nothing counts as unread then. */
  cursor: ConversationCursorRecord | null;
  peerId: string | null;
  /** The peer's public profile, for a private pair. */
  peer: PublicUser | null;
  /** Whether read receipts flow between the user and the peer (both have them on). */
  receipts: boolean;
  group: GroupRecord | null;
}

/**
 * Private conversations come from the user's cursors (both sides get one with the first message).
 * Group conversations come from the user's memberships, so a group they left or that was dissolved
 * drops out even if a cursor lingers, and a group joined without a cursor still shows.
 */
export function createConversationService(ctx: EngineContext): ConversationService {
  const { store } = ctx;

  /** Where an entry sits in the list: newest activity first, then by id. */
  const positionOf = (entry: Entry): TimeIdPosition => ({
    at: (entry.conversation.lastMessageAt ?? entry.conversation.createdAt).getTime(),
    id: entry.conversation.id,
  });

  /** A peer's public view, or the stand-in for an account that is gone. */
  const peerView = (record: UserRecord | undefined, id: string): PublicUser =>
    record ? toPublicUser(record) : unknownUser(id);

  /** The user's conversations, newest first, before any last message is read. */
  async function entriesOf(userId: string): Promise<Entry[]> {
    const [cursors, memberships] = await Promise.all([
      store.messages.listCursorsOfUser(userId),
      store.groups.listMembershipsOfUser(userId),
    ]);
    const cursorOf = new Map(cursors.map((c) => [c.conversationId, c]));
    const privateIds: string[] = [];
    const peerOf = new Map<string, string>();
    for (const cursor of cursors) {
      const parsed = parseConversationId(cursor.conversationId);
      if (parsed?.type !== 'private') continue;
      const [a, b] = parsed.userIds;
      if (userId !== a && userId !== b) continue;
      privateIds.push(cursor.conversationId);
      peerOf.set(cursor.conversationId, userId === a ? b : a);
    }
    const groupIds = [...new Set(memberships.map((m) => m.groupId))];
    const [conversations, users, groups] = await Promise.all([
      store.messages.getConversations([...privateIds, ...groupIds.map(groupConversationId)]),
      // The user too, for their privacy: one read decides every pair's receipts.
      store.users.getByIds([...new Set([userId, ...peerOf.values()])]),
      store.groups.getMany(groupIds),
    ]);
    const conversationOf = new Map(conversations.map((c) => [c.id, c]));
    const recordById = new Map(users.map((u) => [u.id, u]));
    const me = recordById.get(userId);

    const entries: Entry[] = [];
    for (const id of privateIds) {
      const conversation = conversationOf.get(id);
      // A pair shows from its first message on.
      if (!conversation || conversation.lastSeq === 0) continue;
      const peerId = peerOf.get(id) ?? null;
      entries.push({
        conversation,
        cursor: cursorOf.get(id) ?? null,
        peerId,
        peer: peerId === null ? null : peerView(recordById.get(peerId), peerId),
        receipts: receiptsFlow(me, peerId === null ? undefined : recordById.get(peerId)),
        group: null,
      });
    }
    for (const group of groups) {
      if (group.dissolvedAt !== null) continue;
      const id = groupConversationId(group.id);
      entries.push({
        conversation: conversationOf.get(id) ?? newGroupConversation(group.id, group.createdAt),
        cursor: cursorOf.get(id) ?? null,
        peerId: null,
        peer: null,
        receipts: true,
        group,
      });
    }

    return entries.sort((x, y) => newestFirst(positionOf(x), positionOf(y)));
  }

  /** Views of some entries: their last messages (within the roaming window) and peer receipts. */
  async function viewsOf(userId: string, entries: readonly Entry[]): Promise<ConversationView[]> {
    const notBefore = roamingStart(ctx);
    return Promise.all(
      entries.map(
        async ({ conversation, cursor, peerId, peer, receipts, group }): Promise<ConversationView> => {
          const [last, peerCursor] = await Promise.all([
            conversation.lastSeq === 0
              ? null
              : store.messages
                  .listMessages(conversation.id, { limit: 1, notBefore, viewerId: userId })
                  .then((page) => page.items[0] ?? null),
            peerId === null
              ? null
              : store.messages.getCursor(peerId, conversation.id).then((c) => cursorAsSeen(c, receipts)),
          ]);
          const readSeq = cursor ? cursor.readSeq : conversation.lastSeq;
          const view: ConversationView = {
            id: conversation.id,
            type: conversation.type,
            lastMessage: last ? viewFor(last, userId, peerCursor) : null,
            lastSeq: conversation.lastSeq,
            unreadCount: Math.max(0, conversation.lastSeq - readSeq),
            mentioned: cursor !== null && cursor.lastMentionSeq > cursor.readSeq,
            updatedAt: (conversation.lastMessageAt ?? conversation.createdAt).toISOString(),
          };
          if (peer) view.peer = peer;
          if (group) view.group = toGroupCard(group);
          return view;
        },
      ),
    );
  }

  return {
    async list(userId) {
      return viewsOf(userId, await entriesOf(userId));
    },

    async page(userId, input = {}) {
      const query = parseInput(pageInputSchema, input);
      const page = pageOfSorted(await entriesOf(userId), positionOf, query);
      return { items: await viewsOf(userId, page.items), hasMore: page.hasMore, nextCursor: page.nextCursor };
    },
  };
}
