/**
 * Who is typing in each conversation, from `typing_status_update`. An indicator that never hears
 * its stop (a lost frame, a closed tab) expires by itself.
 */

/** The table of typing users per conversation. */
export interface TypingIndicators {
  /** Users typing in the conversation, in the order they started. */
  get(conversationId: string): string[];
  /** Records a start or a stop; answers whether the conversation's list changed. */
  set(conversationId: string, userId: string, isTyping: boolean): boolean;
  /** Clears every timer. */
  clear(): void;
}

/** Creates {@link TypingIndicators}; `onExpire` hears a conversation whose list an expiry changed. */
export function createTypingIndicators(
  expireMs: number,
  onExpire: (conversationId: string) => void,
): TypingIndicators {
  const table = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();
  const stop = (conversationId: string, userId: string): boolean => {
    const users = table.get(conversationId);
    const timer = users?.get(userId);
    if (!users || timer === undefined) return false;
    clearTimeout(timer);
    users.delete(userId);
    if (users.size === 0) table.delete(conversationId);
    return true;
  };
  return {
    get: (conversationId) => [...(table.get(conversationId)?.keys() ?? [])],
    set(conversationId, userId, isTyping) {
      if (!isTyping) return stop(conversationId, userId);
      let users = table.get(conversationId);
      if (!users) {
        users = new Map();
        table.set(conversationId, users);
      }
      const had = users.get(userId);
      if (had !== undefined) clearTimeout(had);
      const timer = setTimeout(() => {
        if (stop(conversationId, userId)) onExpire(conversationId);
      }, expireMs);
      (timer as { unref?: () => void }).unref?.();
      users.set(userId, timer);
      return had === undefined;
    },
    clear() {
      for (const users of table.values()) for (const timer of users.values()) clearTimeout(timer);
      table.clear();
    },
  };
}
