import {
  type ConversationCursorRecord,
  type ConversationRecord,
  type MessageDraft,
  type MessageRecord,
  TOKENS_FROM_CONTENT,
} from '../../domain/records.js';
import { indexTokens } from '../../messaging/search-tokens.js';
import type {
  AppendOptions,
  CursorAdvance,
  HistoryQuery,
  MessageStore,
  Page,
  PageQuery,
} from '../../ports/store.js';
import { decodeCursor, encodeCursor, firstPage } from './paging.js';
import { memoryReactionTable } from './reactions.js';
import { memorySearchIndex } from './search-index.js';

/**
 * The mentions of every stored message that has none: one shared array instead of one per
 * message. Never handed out (copies build their own) and never written to.
 */
const NO_MENTIONS: string[] = [];

const copyDate = (date: Date | null): Date | null => (date === null ? null : new Date(date.getTime()));

// Copies are written field by field: a `{ ...record, field: … }` literal that overrides keys
// falls off V8's fast object-literal path, and these run several times per message sent.
function copyConversation(c: ConversationRecord): ConversationRecord {
  return {
    id: c.id,
    type: c.type,
    memberIds: c.memberIds.slice(),
    groupId: c.groupId,
    lastSeq: c.lastSeq,
    lastVersion: c.lastVersion,
    lastMessageAt: copyDate(c.lastMessageAt),
    createdAt: new Date(c.createdAt.getTime()),
  };
}

function copyMessage(m: MessageRecord): MessageRecord {
  return {
    id: m.id,
    conversationId: m.conversationId,
    type: m.type,
    senderId: m.senderId,
    receiverId: m.receiverId,
    groupId: m.groupId,
    content: m.content,
    contentType: m.contentType,
    mentions: m.mentions.length === 0 ? [] : m.mentions.slice(),
    mentionAll: m.mentionAll,
    replyTo: m.replyTo,
    clientMsgId: m.clientMsgId,
    seq: m.seq,
    createdAt: new Date(m.createdAt.getTime()),
    recalledAt: copyDate(m.recalledAt),
    recalledBy: m.recalledBy,
    editedAt: copyDate(m.editedAt),
    version: m.version,
    replyCount: m.replyCount,
    pinnedAt: copyDate(m.pinnedAt),
    pinnedBy: m.pinnedBy,
  };
}

/**
 * The conversation's own copy of a user id when the user is one of its two members, else the id
 * itself. Every message of a private conversation names the same two users: sharing their strings
 * (and the conversation's id) instead of keeping the copies each send parsed from its request
 * saves a hundred-odd bytes per stored message.
 */
function memberIdOf(conversation: ConversationRecord, userId: string): string;
function memberIdOf(conversation: ConversationRecord, userId: string | null): string | null;
function memberIdOf(conversation: ConversationRecord, userId: string | null): string | null {
  const members = conversation.memberIds;
  if (userId === null || members.length !== 2) return userId;
  if (members[0] === userId) return members[0];
  if (members[1] === userId) return members[1];
  return userId;
}

/**
 * A stored message from a draft, its seq and its conversation; the draft's search tokens go to
 * the index only.
 */
function messageOf(draft: MessageDraft, seq: number, conversation: ConversationRecord): MessageRecord {
  return {
    id: draft.id,
    conversationId: conversation.id,
    type: draft.type,
    senderId: memberIdOf(conversation, draft.senderId),
    receiverId: memberIdOf(conversation, draft.receiverId),
    groupId: draft.groupId,
    content: draft.content,
    contentType: draft.contentType,
    mentions: draft.mentions.length === 0 ? NO_MENTIONS : draft.mentions.slice(),
    mentionAll: draft.mentionAll,
    replyTo: draft.replyTo,
    clientMsgId: draft.clientMsgId,
    seq,
    createdAt: new Date(draft.createdAt.getTime()),
    recalledAt: copyDate(draft.recalledAt),
    recalledBy: draft.recalledBy,
    editedAt: copyDate(draft.editedAt),
    version: 0,
    replyCount: 0,
    pinnedAt: null,
    pinnedBy: null,
  };
}

/** Newest first by createdAt, then id: the order of search results. */
function newestFirst(a: MessageRecord, b: MessageRecord): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

interface TimeIdCursor {
  t: number;
  i: string;
}

function isTimeIdCursor(value: unknown): value is TimeIdCursor {
  const v = value as Partial<TimeIdCursor> | null;
  return typeof v === 'object' && v !== null && typeof v.t === 'number' && typeof v.i === 'string';
}

function isSeqCursor(value: unknown): value is { s: number } {
  return typeof value === 'object' && value !== null && typeof (value as { s?: unknown }).s === 'number';
}

/** The seqs a cursor advance may move (one array for every advance, not one per call). */
const CURSOR_SEQS = ['readSeq', 'deliveredSeq', 'lastMentionSeq'] as const;

function copyCursor(c: ConversationCursorRecord): ConversationCursorRecord {
  return {
    userId: c.userId,
    conversationId: c.conversationId,
    readSeq: c.readSeq,
    deliveredSeq: c.deliveredSeq,
    lastMentionSeq: c.lastMentionSeq,
    updatedAt: new Date(c.updatedAt.getTime()),
  };
}

function encodeReaderCursor(userId: string): string {
  return encodeCursor({ u: userId });
}

function isReaderCursor(value: unknown): value is { u: string } {
  return typeof value === 'object' && value !== null && typeof (value as { u?: unknown }).u === 'string';
}

function decodeReaderCursor(cursor: string | undefined): string | null {
  return decodeCursor(cursor, isReaderCursor)?.u ?? null;
}

/**
 * The messages area of `memoryStore()`.
 *
 * Each conversation keeps its messages in an array where index `seq - 1` holds message `seq`, so a
 * history page is a walk of O(limit + hidden messages skipped) from a known index. Maps index
 * messages by id, by (sender, clientMsgId), cursors by conversation then user, and conversation
 * ids by user. No method awaits between its read and its write, which makes seq allocation and
 * the clientMsgId dedupe atomic in a single-threaded process.
 */
export function memoryMessageStore(): MessageStore {
  const conversations = new Map<string, ConversationRecord>();
  const history = new Map<string, MessageRecord[]>();
  const byId = new Map<string, MessageRecord>();
  /**
   * senderId → clientMsgId → message. Nested rather than one map under a joined key: no key
   * string is built (and flattened, and kept) per message.
   */
  const byClientMsgId = new Map<string, Map<string, MessageRecord>>();
  /** conversationId → userId → cursor. */
  const cursors = new Map<string, Map<string, ConversationCursorRecord>>();
  /** userId → ids of the conversations they hold a cursor in. */
  const conversationsOfUser = new Map<string, Set<string>>();
  /** userId → ids of the messages they deleted for themselves. */
  const hidden = new Map<string, Set<string>>();
  /** parent message id → ids of its replies, in seq order. */
  const replies = new Map<string, string[]>();
  const reactions = memoryReactionTable();
  const index = memorySearchIndex();
  /**
   * Text messages appended since the last search whose tokens are their content's (see
   * TOKENS_FROM_CONTENT): tokenizing is a large share of a send, so it waits for a search. One
   * edited or recalled meanwhile has had its index entry set or removed already and is skipped.
   */
  let unindexed: MessageRecord[] = [];
  const search = {
    set: index.set,
    remove: index.remove,
    match(tokens: readonly string[]) {
      for (const m of unindexed) {
        if (m.recalledAt === null && m.editedAt === null) index.set(m.id, indexTokens(m.content));
      }
      unindexed = [];
      return index.match(tokens);
    },
  };

  /**
   * Merges an advance into the stored cursor (created at zeros first) and answers it, uncopied:
   * each seq keeps the max, `updatedAt` moves to `at` only when one moved.
   */
  function merge(
    userId: string,
    conversationId: string,
    advance: CursorAdvance,
    at: Date,
  ): ConversationCursorRecord {
    let ofConversation = cursors.get(conversationId);
    if (!ofConversation) {
      ofConversation = new Map();
      cursors.set(conversationId, ofConversation);
    }
    let cursor = ofConversation.get(userId);
    if (cursor === undefined) {
      cursor = {
        userId,
        conversationId,
        readSeq: 0,
        deliveredSeq: 0,
        lastMentionSeq: 0,
        updatedAt: new Date(at.getTime()),
      };
      ofConversation.set(userId, cursor);
      let ofUser = conversationsOfUser.get(userId);
      if (!ofUser) {
        ofUser = new Set();
        conversationsOfUser.set(userId, ofUser);
      }
      ofUser.add(conversationId);
    }
    let moved = false;
    for (const key of CURSOR_SEQS) {
      const value = advance[key];
      if (value !== undefined && value > cursor[key]) {
        cursor[key] = value;
        moved = true;
      }
    }
    if (moved) cursor.updatedAt = new Date(at.getTime());
    return cursor;
  }

  /** Raises the conversation's change counter and stamps the message with it. */
  function stamp(message: MessageRecord): void {
    const conversation = conversations.get(message.conversationId);
    if (!conversation) return;
    conversation.lastVersion += 1;
    message.version = conversation.lastVersion;
  }

  /** Whether the viewer may see a message in a listing (not hidden for them, not too old). */
  function listable(
    message: MessageRecord,
    viewerId: string | undefined,
    notBefore: Date | undefined,
  ): boolean {
    if (notBefore !== undefined && message.createdAt.getTime() < notBefore.getTime()) return false;
    return viewerId === undefined || !hidden.get(viewerId)?.has(message.id);
  }

  /** Index of the first message created at or after `notBefore` (createdAt grows with seq). */
  function firstIndexNotBefore(list: MessageRecord[], notBefore: Date | undefined): number {
    if (notBefore === undefined) return 0;
    const bound = notBefore.getTime();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.createdAt.getTime() < bound) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    async ensureConversation(conversation) {
      let stored = conversations.get(conversation.id);
      if (!stored) {
        stored = copyConversation(conversation);
        conversations.set(stored.id, stored);
        history.set(stored.id, []);
      }
      return copyConversation(stored);
    },

    async getConversation(id) {
      const stored = conversations.get(id);
      return stored ? copyConversation(stored) : null;
    },

    async getConversations(ids) {
      const found: ConversationRecord[] = [];
      for (const id of new Set(ids)) {
        const stored = conversations.get(id);
        if (stored) found.push(copyConversation(stored));
      }
      return found;
    },

    async appendMessage(draft: MessageDraft, options?: AppendOptions) {
      if (draft.clientMsgId !== null) {
        const existing = byClientMsgId.get(draft.senderId)?.get(draft.clientMsgId);
        if (existing) return { message: copyMessage(existing), created: false };
      }
      const conversation = conversations.get(draft.conversationId);
      const list = history.get(draft.conversationId);
      if (!conversation || !list) {
        throw new Error(`appendMessage: conversation ${draft.conversationId} does not exist`);
      }
      const message = messageOf(draft, conversation.lastSeq + 1, conversation);
      conversation.lastSeq = message.seq;
      // Stored dates are never changed in place (readers get copies), so the two can share one.
      conversation.lastMessageAt = message.createdAt;
      list.push(message);
      byId.set(message.id, message);
      if (message.clientMsgId !== null) {
        let ofSender = byClientMsgId.get(message.senderId);
        if (!ofSender) {
          ofSender = new Map();
          byClientMsgId.set(message.senderId, ofSender);
        }
        ofSender.set(message.clientMsgId, message);
      }
      if (message.recalledAt === null) {
        if (draft[TOKENS_FROM_CONTENT] !== true) search.set(message.id, draft.searchTokens);
        else if (message.contentType === 'text') unindexed.push(message);
      }
      if (message.replyTo !== null) {
        const parent = byId.get(message.replyTo);
        if (parent) {
          parent.replyCount += 1;
          let thread = replies.get(parent.id);
          if (!thread) {
            thread = [];
            replies.set(parent.id, thread);
          }
          thread.push(message.id);
        }
      }
      if (options?.senderCursor === true) {
        merge(
          message.senderId,
          message.conversationId,
          { readSeq: message.seq, deliveredSeq: message.seq },
          message.createdAt,
        );
      }
      return { message: copyMessage(message), created: true };
    },

    async getMessage(id) {
      const stored = byId.get(id);
      return stored ? copyMessage(stored) : null;
    },

    async listMessages(conversationId: string, query: HistoryQuery) {
      const list = history.get(conversationId);
      if (!list || list.length === 0 || query.limit < 1) return { items: [], hasMore: false };
      const hiddenOfViewer = query.viewerId === undefined ? undefined : hidden.get(query.viewerId);
      const visible = (m: MessageRecord) => !hiddenOfViewer?.has(m.id);
      const first = firstIndexNotBefore(list, query.notBefore);
      const items: MessageRecord[] = [];
      let hasMore = false;

      if (query.beforeSeq === undefined && query.afterSeq !== undefined) {
        // Reading forward: messages older than the window sit at the front, skip them at once.
        let i = Math.max(query.afterSeq, first, 0);
        for (; i < list.length && items.length < query.limit; i++) {
          const m = list[i]!;
          if (visible(m)) items.push(copyMessage(m));
        }
        for (; i < list.length; i++) {
          if (visible(list[i]!)) {
            hasMore = true;
            break;
          }
        }
        return { items, hasMore };
      }

      // Reading backward from the newest message, or from just below `beforeSeq`.
      let i =
        query.beforeSeq === undefined ? list.length - 1 : Math.min(query.beforeSeq - 2, list.length - 1);
      for (; i >= first && items.length < query.limit; i--) {
        const m = list[i]!;
        if (visible(m)) items.push(copyMessage(m));
      }
      for (; i >= first; i--) {
        if (visible(list[i]!)) {
          hasMore = true;
          break;
        }
      }
      items.reverse();
      return { items, hasMore };
    },

    async recallMessage(id, by, at) {
      const stored = byId.get(id);
      if (!stored) return null;
      // A message is recalled once: a later recall keeps the first one's author and time.
      if (stored.recalledAt === null) {
        stored.content = '';
        stored.recalledAt = new Date(at.getTime());
        stored.recalledBy = by;
        search.remove(stored.id);
        stamp(stored);
      }
      return copyMessage(stored);
    },

    async editMessage(id, edit) {
      const stored = byId.get(id);
      if (!stored || stored.recalledAt !== null) return null;
      stored.content = edit.content;
      stored.editedAt = new Date(edit.editedAt.getTime());
      search.set(stored.id, edit.searchTokens);
      stamp(stored);
      return copyMessage(stored);
    },

    async addReaction(reaction) {
      const stored = byId.get(reaction.messageId);
      if (!stored) return { message: null, added: false };
      const added = reactions.add(reaction);
      if (added) stamp(stored);
      return { message: copyMessage(stored), added };
    },

    async removeReaction(messageId, userId, emoji) {
      const stored = byId.get(messageId);
      if (!stored) return { message: null, removed: false };
      const removed = reactions.remove(messageId, userId, emoji);
      if (removed) stamp(stored);
      return { message: copyMessage(stored), removed };
    },

    async summarizeReactions(messageIds, viewerId) {
      return reactions.summarize(messageIds, viewerId);
    },

    async pinMessage(id, by, at, maxPins) {
      const stored = byId.get(id);
      if (!stored) return null;
      if (stored.pinnedAt !== null) return { message: copyMessage(stored), outcome: 'already' };
      let pinned = 0;
      for (const m of history.get(stored.conversationId) ?? []) if (m.pinnedAt !== null) pinned += 1;
      if (pinned >= maxPins) return { message: copyMessage(stored), outcome: 'full' };
      stored.pinnedAt = new Date(at.getTime());
      stored.pinnedBy = by;
      stamp(stored);
      return { message: copyMessage(stored), outcome: 'pinned' };
    },

    async unpinMessage(id) {
      const stored = byId.get(id);
      if (!stored) return null;
      if (stored.pinnedAt === null) return { message: copyMessage(stored), unpinned: false };
      stored.pinnedAt = null;
      stored.pinnedBy = null;
      stamp(stored);
      return { message: copyMessage(stored), unpinned: true };
    },

    async listPinned(conversationId) {
      const pinned = (history.get(conversationId) ?? []).filter((m) => m.pinnedAt !== null);
      pinned.sort((a, b) => (b.pinnedAt?.getTime() ?? 0) - (a.pinnedAt?.getTime() ?? 0) || b.seq - a.seq);
      return pinned.map(copyMessage);
    },

    async listChanged(conversationId, query) {
      const changed = (history.get(conversationId) ?? []).filter(
        (m) =>
          m.version > query.afterVersion &&
          m.seq <= query.maxSeq &&
          listable(m, query.viewerId, query.notBefore),
      );
      changed.sort((a, b) => a.version - b.version);
      const items = changed.slice(0, Math.max(0, query.limit)).map(copyMessage);
      return { items, hasMore: changed.length > items.length };
    },

    async listReplies(messageId, query) {
      const after = decodeCursor(query.cursor, isSeqCursor);
      const rest: MessageRecord[] = [];
      for (const id of replies.get(messageId) ?? []) {
        const m = byId.get(id);
        if (m && (after === null || m.seq > after.s) && listable(m, query.viewerId, query.notBefore))
          rest.push(m);
      }
      return firstPage(rest, query.limit, copyMessage, (last) => encodeCursor({ s: last.seq }));
    },

    async searchMessages(query) {
      const after = decodeCursor(query.cursor, isTimeIdCursor);
      const inScope = new Set(query.conversationIds);
      const found: MessageRecord[] = [];
      for (const id of search.match(query.tokens)) {
        const m = byId.get(id);
        if (!m || m.recalledAt !== null || !inScope.has(m.conversationId)) continue;
        if (!listable(m, query.viewerId, query.notBefore)) continue;
        if (after !== null) {
          const t = m.createdAt.getTime();
          if (t > after.t || (t === after.t && m.id >= after.i)) continue;
        }
        found.push(m);
      }
      found.sort(newestFirst);
      return firstPage(found, query.limit, copyMessage, (last) =>
        encodeCursor({ t: last.createdAt.getTime(), i: last.id }),
      );
    },

    async hideMessage(userId, messageId) {
      let set = hidden.get(userId);
      if (!set) {
        set = new Set();
        hidden.set(userId, set);
      }
      set.add(messageId);
    },

    async getCursor(userId, conversationId) {
      const stored = cursors.get(conversationId)?.get(userId);
      return stored ? copyCursor(stored) : null;
    },

    async listCursorsOfUser(userId) {
      const found: ConversationCursorRecord[] = [];
      for (const conversationId of conversationsOfUser.get(userId) ?? []) {
        const stored = cursors.get(conversationId)?.get(userId);
        if (stored) found.push(copyCursor(stored));
      }
      return found;
    },

    async advanceCursor(userId, conversationId, advance: CursorAdvance, at) {
      const stored = cursors.get(conversationId)?.get(userId);
      const before = stored ? copyCursor(stored) : null;
      return { before, after: copyCursor(merge(userId, conversationId, advance, at)) };
    },

    async deleteCursor(userId, conversationId) {
      const ofConversation = cursors.get(conversationId);
      ofConversation?.delete(userId);
      if (ofConversation?.size === 0) cursors.delete(conversationId);
      const ofUser = conversationsOfUser.get(userId);
      ofUser?.delete(conversationId);
      if (ofUser?.size === 0) conversationsOfUser.delete(userId);
    },

    async listReaders(conversationId: string, seq: number, page: PageQuery): Promise<Page<string>> {
      const after = decodeReaderCursor(page.cursor);
      const readers: string[] = [];
      // Bounded by the conversation's members (a group's size), never by its history.
      for (const cursor of cursors.get(conversationId)?.values() ?? []) {
        if (cursor.readSeq >= seq && (after === null || cursor.userId > after)) readers.push(cursor.userId);
      }
      readers.sort();
      return firstPage(readers, page.limit, (userId) => userId, encodeReaderCursor);
    },
  };
}
