/**
 * The memoryStore's search index: token → ids of the messages holding it (an inverted index), so
 * a search walks the postings of its rarest token instead of every message.
 */

/** An inverted index of message search tokens. */
export interface SearchIndex {
  /** Indexes a message's tokens, replacing what it had (an edit). */
  set(messageId: string, tokens: readonly string[]): void;
  /** Forgets a message (a recall: recalled messages are never found). */
  remove(messageId: string): void;
  /** Ids of the messages holding every token (none for no tokens), in no particular order. */
  match(tokens: readonly string[]): string[];
}

export function memorySearchIndex(): SearchIndex {
  const postings = new Map<string, Set<string>>();
  const tokensOf = new Map<string, readonly string[]>();

  const remove = (messageId: string) => {
    for (const token of tokensOf.get(messageId) ?? []) {
      const ids = postings.get(token);
      ids?.delete(messageId);
      if (ids?.size === 0) postings.delete(token);
    }
    tokensOf.delete(messageId);
  };

  return {
    set(messageId, tokens) {
      remove(messageId);
      if (tokens.length === 0) return;
      const unique = [...new Set(tokens)];
      tokensOf.set(messageId, unique);
      for (const token of unique) {
        let ids = postings.get(token);
        if (!ids) {
          ids = new Set();
          postings.set(token, ids);
        }
        ids.add(messageId);
      }
    },
    remove,
    match(tokens) {
      if (tokens.length === 0) return [];
      const lists: Set<string>[] = [];
      for (const token of new Set(tokens)) {
        const ids = postings.get(token);
        if (!ids) return [];
        lists.push(ids);
      }
      lists.sort((a, b) => a.size - b.size);
      const [rarest, ...rest] = lists;
      const found: string[] = [];
      for (const id of rarest ?? []) if (rest.every((ids) => ids.has(id))) found.push(id);
      return found;
    },
  };
}
