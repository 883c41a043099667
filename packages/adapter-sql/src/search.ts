/**
 * Search tokens as each dialect stores them. PostgreSQL keeps them as they are in a `text[]`.
 * SQLite's FTS5 splits text into tokens itself, and no tokenizer keeps an arbitrary token whole
 * (punctuation inside a word, `don't`, would split it; unicode61 folds diacritics), so each
 * token is stored as the hex of its UTF-8 bytes: one FTS token of `[0-9a-f]` per search token,
 * matched exactly, never split, never folded.
 *
 * SQLite's FTS5 rows are keyed in time order (migration 0003): a message's `search_key` is its
 * `created_at` in milliseconds times {@link SEARCH_KEY_SLOTS} plus its place among the messages
 * of that millisecond, so the index's rowid order is the order search answers in, up to ties in
 * a millisecond. Keys pass 2^53: they are computed and compared in SQL only, never read into JS.
 */
import { type RawBuilder, sql } from 'kysely';

/** Messages one millisecond can hold in SQLite's key order (2^20); keys last until the year 2248. */
export const SEARCH_KEY_SLOTS = 1_048_576;

/** A token as the FTS5 index holds it. */
export function ftsToken(token: string): string {
  return Buffer.from(token, 'utf8').toString('hex');
}

/** A message's tokens as `search_text`; null when none (the row is then not indexed at all). */
export function ftsText(tokens: readonly string[]): string | null {
  return tokens.length === 0 ? null : [...new Set(tokens)].map(ftsToken).join(' ');
}

/**
 * A conversation as the FTS5 index holds it (the generated column `search_conversation`):
 * `x` and the hex of its id, as SQLite's `'x' || hex(conversation_id)` folded to lower case.
 * Odd in length and starting with `x`, it is never a token of `search_text`.
 */
export function ftsConversation(conversationId: string): string {
  return `x${Buffer.from(conversationId, 'utf8').toString('hex')}`;
}

/**
 * The FTS5 query for messages holding every token: each one a quoted string, AND-ed; with
 * `conversationIds`, also in one of those conversations.
 */
export function ftsQuery(tokens: readonly string[], conversationIds?: readonly string[]): string {
  const all = [...new Set(tokens)].map((token) => `"${ftsToken(token)}"`).join(' AND ');
  if (conversationIds === undefined) return all;
  const scope = [...new Set(conversationIds)].map((id) => `"${ftsConversation(id)}"`).join(' OR ');
  return `(${all}) AND (${scope})`;
}

/**
 * SQLite: the first key of millisecond `ms` (a bound number or an SQL expression). Cast first:
 * better-sqlite3 binds every number as a REAL, and FTS5 does not seek to a REAL rowid bound (it
 * scans the whole doclist instead).
 */
export function firstKeyOf(ms: RawBuilder<unknown> | number): RawBuilder<number> {
  return sql<number>`(cast(${ms} as integer) * ${sql.lit(SEARCH_KEY_SLOTS)})`;
}

/**
 * SQLite: the key of a message created at `ms` (an SQL expression): the next free place in its
 * millisecond, found on the unique index of `search_key` (the single writer lock makes it safe).
 */
export function nextSearchKey(ms: RawBuilder<unknown> | number): RawBuilder<number> {
  return sql<number>`(select coalesce(max(k.search_key) + 1, ${firstKeyOf(ms)}) from parley_messages k
    where k.search_key >= ${firstKeyOf(ms)} and k.search_key < ${firstKeyOf(sql`(${ms} + 1)`)})`;
}
