/**
 * Search tokens as each dialect stores them. PostgreSQL keeps them as they are in a `text[]`.
 * SQLite's FTS5 splits text into tokens itself, and no tokenizer keeps an arbitrary token whole
 * (punctuation inside a word, `don't`, would split it; unicode61 folds diacritics), so each
 * token is stored as the hex of its UTF-8 bytes: one FTS token of `[0-9a-f]` per search token,
 * matched exactly, never split, never folded.
 */

/** A token as the FTS5 index holds it. */
export function ftsToken(token: string): string {
  return Buffer.from(token, 'utf8').toString('hex');
}

/** A message's tokens as `search_text`; null when none (the row is then not indexed at all). */
export function ftsText(tokens: readonly string[]): string | null {
  return tokens.length === 0 ? null : [...new Set(tokens)].map(ftsToken).join(' ');
}

/** The FTS5 query for messages holding every token: each one a quoted string, AND-ed. */
export function ftsQuery(tokens: readonly string[]): string {
  return [...new Set(tokens)].map((token) => `"${ftsToken(token)}"`).join(' AND ');
}
