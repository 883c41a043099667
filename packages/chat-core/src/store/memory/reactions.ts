/** The memoryStore's reactions: one per (message, user, emoji), kept in first-reaction order. */
import type { ReactionRecord, ReactionSummary } from '../../domain/records.js';

/** Reactions of every message. */
export interface ReactionTable {
  /** Adds a reaction; false (nothing changed) when the same one exists. */
  add(reaction: ReactionRecord): boolean;
  /** Removes a reaction; false when there was none. */
  remove(messageId: string, userId: string, emoji: string): boolean;
  /** Per message, one summary per emoji in first-reaction order, as `viewerId` sees it. */
  summarize(messageIds: readonly string[], viewerId: string): Map<string, ReactionSummary[]>;
}

export function memoryReactionTable(): ReactionTable {
  /** messageId → emoji → users who reacted with it (Map and Set keep insertion order). */
  const byMessage = new Map<string, Map<string, Set<string>>>();
  return {
    add({ messageId, userId, emoji }) {
      let emojis = byMessage.get(messageId);
      if (!emojis) {
        emojis = new Map();
        byMessage.set(messageId, emojis);
      }
      let users = emojis.get(emoji);
      if (!users) {
        users = new Set();
        emojis.set(emoji, users);
      }
      if (users.has(userId)) return false;
      users.add(userId);
      return true;
    },
    remove(messageId, userId, emoji) {
      const emojis = byMessage.get(messageId);
      const users = emojis?.get(emoji);
      if (!emojis || !users?.delete(userId)) return false;
      if (users.size === 0) emojis.delete(emoji);
      if (emojis.size === 0) byMessage.delete(messageId);
      return true;
    },
    summarize(messageIds, viewerId) {
      const result = new Map<string, ReactionSummary[]>();
      for (const messageId of new Set(messageIds)) {
        const emojis = byMessage.get(messageId);
        if (!emojis) continue;
        result.set(
          messageId,
          [...emojis].map(([emoji, users]) => ({ emoji, count: users.size, mine: users.has(viewerId) })),
        );
      }
      return result;
    },
  };
}
