/**
 * `searchMessages`: messages holding every token, in the given conversations, newest first by
 * (created_at, id), at a cost bounded by the page rather than by how many messages match.
 *
 * SQLite walks the FTS5 index in rowid order, which is time order (see `search.ts`):
 * 1. the newest {@link SQLITE_CANDIDATES} matches anywhere, joined to their rows and filtered
 *    (conversation, recalled, hidden, cursor, notBefore). Where the caller's conversations hold
 *    a good share of the matches, this fills the page;
 * 2. otherwise the walk restricted to the caller's conversations by the index itself (each
 *    message's conversation is a token of the index), {@link CHUNK} conversations per query;
 * 3. messages of one millisecond are in key order, not id order: when the page ends inside a
 *    millisecond, that millisecond's matches are read whole (a key range) and sorted.
 *
 * PostgreSQL has no ordered text index. It picks by what it knows of the word and the
 * conversations (every path answers exactly; only the cost differs):
 * - a word the planner's statistics put under PG_WINDOW / page of all messages (or do not list
 *   at all): one GIN scan of the word, whose few matches are sorted;
 * - otherwise, conversations that together hold at most {@link PG_WINDOW} messages (their
 *   `last_seq`): the GIN index over tokens and conversation, in batches of that many messages;
 * - each larger conversation, {@link CHUNK} per statement: the newest PG_WINDOW messages of them,
 *   merged from a backward walk of `(conversation_id, created_at, id)` per conversation, checked
 *   against the tokens; when that does not fill the page the word is rare there after all, and
 *   the GIN index over tokens and conversation answers instead.
 * Matches are found on narrow rows; the page's messages are then read whole, and the parts'
 * pages merged.
 */
import type { MessageRecord, MessageStore, Page } from '@parley/chat-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Codec } from './codec.js';
import type { Database } from './database.js';
import type { Ready } from './handle.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './message-rows.js';
import { decodeCursor, emptyPage, encodeCursor, TIME_ID, toPage } from './paging.js';
import { firstKeyOf, ftsQuery } from './search.js';

type SearchQuery = Parameters<MessageStore['searchMessages']>[0];

/** SQLite: matches read newest first, from anywhere, before restricting the walk by conversation. */
export const SQLITE_CANDIDATES = 500;
/** PostgreSQL: the newest messages of large conversations checked before asking the GIN index. */
export const PG_WINDOW = 4000;
/** Conversations per statement: bounds the FTS5 OR and the PostgreSQL UNION ALL. */
export const CHUNK = 50;

const LIST = 'search';

interface Scope {
  tokens: string[];
  viewerId: string;
  notBefore: Date | undefined;
  after: { t: number; i: string } | null;
}

export async function searchMessages(
  ready: Ready,
  query: SearchQuery,
  frequencies: TokenFrequencies,
): Promise<Page<MessageRecord>> {
  const cursor = decodeCursor(LIST, query.cursor, TIME_ID);
  if (query.limit < 1 || query.tokens.length === 0 || query.conversationIds.length === 0) {
    return emptyPage<MessageRecord>();
  }
  const { db, codec } = await ready();
  const scope: Scope = {
    tokens: [...new Set(query.tokens)],
    viewerId: query.viewerId,
    notBefore: query.notBefore,
    after: cursor === null ? null : { t: cursor.t as number, i: cursor.i as string },
  };
  const conversations = [...new Set(query.conversationIds)];
  const rows =
    codec.dialect === 'postgres'
      ? await searchPostgres(db, codec, scope, conversations, query.limit + 1, frequencies)
      : await searchSqlite(db, codec, scope, conversations, query.limit + 1);
  return toPage(rows, query.limit, toMessage, (last) => encodeCursor(LIST, { t: timeOf(last), i: last.id }));
}

/** The columns of `m` a message is read from. */
const columnsOf = (alias: string) => sql.join(MESSAGE_COLUMNS.map((c) => sql.ref(`${alias}.${c}`)));

/** Recalled, hidden for the viewer, before notBefore, at or after the cursor: never answered. */
function filters(codec: Codec, scope: Scope, alias: string): RawBuilder<unknown> {
  const ref = (column: string) => sql.ref(`${alias}.${column}`);
  const parts: RawBuilder<unknown>[] = [
    sql`${ref('recalled_at')} is null`,
    sql`not exists (select 1 from parley_hidden_messages h where h.user_id = ${scope.viewerId} and h.message_id = ${ref('id')})`,
  ];
  if (scope.notBefore !== undefined) parts.push(sql`${ref('created_at')} >= ${codec.date(scope.notBefore)}`);
  if (scope.after !== null) parts.push(before(codec, scope.after, alias));
  return sql.join(parts, sql` and `);
}

/** Strictly older than the cursor in (created_at, id) order. */
function before(codec: Codec, after: { t: number; i: string }, alias: string): RawBuilder<unknown> {
  const t = codec.date(new Date(after.t));
  const [time, id] = [sql.ref(`${alias}.created_at`), sql.ref(`${alias}.id`)];
  // PostgreSQL compares the row as one index condition; SQLite's key range does that job there.
  return codec.dialect === 'postgres'
    ? sql`(${time}, ${id}) < (${t}, ${after.i})`
    : sql`(${time} < ${t} or (${time} = ${t} and ${id} < ${after.i}))`;
}

// --- SQLite ---------------------------------------------------------------------------------

async function searchSqlite(
  db: Kysely<Database>,
  codec: Codec,
  scope: Scope,
  conversations: string[],
  wanted: number,
): Promise<MessageRow[]> {
  // One more than the page needs: it tells whether the page's last millisecond goes on.
  const n = wanted + 1;
  const keys: RawBuilder<unknown>[] = [];
  if (scope.after !== null) keys.push(sql`rowid < ${firstKeyOf(scope.after.t + 1)}`);
  if (scope.notBefore !== undefined) keys.push(sql`rowid >= ${firstKeyOf(scope.notBefore.getTime())}`);
  const walk = async (
    match: string,
    inConversations: readonly string[],
    options: { candidates?: number; limit?: number; keys?: RawBuilder<unknown>[] } = {},
  ): Promise<MessageRow[]> => {
    const range = [...keys, ...(options.keys ?? [])];
    // CROSS JOIN keeps the index walk the outer loop: SQLite never reorders it, and would
    // otherwise start from the conversation's rows (it has no statistics) and sort the matches.
    const { rows } = await sql<MessageRow>`select ${columnsOf('m')} from (
        select rowid as k from parley_message_search
        where parley_message_search match ${match}${range.length > 0 ? sql` and ${sql.join(range, sql` and `)}` : sql``}
        order by rowid desc${options.candidates === undefined ? sql`` : sql` limit ${options.candidates}`}
      ) as s cross join parley_messages m on m.search_key = s.k
      where m.conversation_id in (${sql.join(inConversations)}) and ${filters(codec, scope, 'm')}
      order by s.k desc${options.limit === undefined ? sql`` : sql` limit ${options.limit}`}`.execute(db);
    return rows;
  };

  let rows = await walk(ftsQuery(scope.tokens), conversations, { candidates: SQLITE_CANDIDATES, limit: n });
  if (rows.length < n) {
    rows = [];
    for (const chunk of chunksOf(conversations)) {
      rows.push(...(await walk(ftsQuery(scope.tokens, chunk), chunk, { limit: n })));
    }
    rows.sort(newestFirst);
    rows.length = Math.min(rows.length, n);
  }
  // Rows are in time order, ties in key order. If the page's last millisecond may go on past
  // what was read, read all of it and let id order decide.
  const last = rows[wanted - 1];
  const next = rows[wanted];
  if (last !== undefined && next !== undefined && timeOf(last) === timeOf(next)) {
    const ms = timeOf(last);
    const tied = await walk(ftsQuery(scope.tokens), conversations, {
      keys: [sql`rowid >= ${firstKeyOf(ms)}`, sql`rowid < ${firstKeyOf(ms + 1)}`],
    });
    rows = [...rows.filter((row) => timeOf(row) > ms), ...tied];
  }
  rows.sort(newestFirst);
  return rows.slice(0, wanted);
}

// --- PostgreSQL -----------------------------------------------------------------------------

/**
 * PostgreSQL: how common tokens are, from the planner's own statistics of `search_tokens` (its
 * most common elements and their frequencies in `pg_stats`, which ANALYZE and autovacuum keep),
 * read at most once a minute per store.
 */
export interface TokenFrequencies {
  /**
   * The share of messages holding the rarest of `tokens`: its frequency, 0 when it is rarer than
   * every element the statistics track, undefined while the table has no statistics.
   */
  rarest(db: Kysely<Database>, tokens: readonly string[]): Promise<number | undefined>;
}

/** A {@link TokenFrequencies} with its own cache (one per store). */
export function tokenFrequencies(refreshMs = 60_000): TokenFrequencies {
  let cached: { at: number; frequencies: Map<string, number> } | null = null;
  let loading: Promise<Map<string, number>> | null = null;
  const load = async (db: Kysely<Database>): Promise<Map<string, number>> => {
    const { rows } = await sql<{ element: string; frequency: number }>`select u.element, u.frequency
      from pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) as u(element, frequency)
      where s.schemaname = current_schema() and s.tablename = 'parley_messages' and s.attname = 'search_tokens'
        and u.element is not null`.execute(db);
    return new Map(rows.map((r) => [r.element, Number(r.frequency)]));
  };
  return {
    async rarest(db, tokens) {
      if (cached === null || Date.now() - cached.at > refreshMs) {
        loading ??= load(db)
          .catch(() => new Map<string, number>())
          .finally(() => {
            loading = null;
          });
        const frequencies = await loading;
        cached = { at: Date.now(), frequencies };
      }
      if (cached.frequencies.size === 0) return undefined;
      const frequencies = cached.frequencies;
      return Math.min(...tokens.map((token) => frequencies.get(token) ?? 0));
    },
  };
}

async function searchPostgres(
  db: Kysely<Database>,
  codec: Codec,
  scope: Scope,
  conversations: string[],
  wanted: number,
  frequencies: TokenFrequencies,
): Promise<MessageRow[]> {
  const ids: { id: string }[] = [];
  const rarest = await frequencies.rarest(db, scope.tokens);
  if (rarest !== undefined && rarest * PG_WINDOW < wanted) {
    // Too rare to fill the page from a window even if every message were the caller's: the GIN
    // index on the word alone, whose matches anywhere are few, in one statement.
    ids.push(...(await indexed(db, codec, scope, conversations, wanted, false)));
  } else {
    const { large, small } = await bySize(db, conversations);
    // Conversations that together hold no more than a window: their matches are no more.
    for (const batch of small) ids.push(...(await indexed(db, codec, scope, batch, wanted, true)));
    for (const chunk of chunksOf(large)) {
      let found = await newestWindow(db, codec, scope, chunk, wanted);
      if (found.length < wanted) found = await indexed(db, codec, scope, chunk, wanted, true);
      ids.push(...found);
    }
  }
  if (ids.length === 0) return [];
  // The hits were found on narrow rows; the page's messages are read whole once.
  const { rows } = await sql<MessageRow>`select ${columnsOf('m')} from parley_messages m
    where m.id = any(${ids.map((row) => row.id)}::text[])`.execute(db);
  rows.sort(newestFirst);
  return rows.slice(0, wanted);
}

/**
 * The conversations by their message count (`last_seq`, every message ever appended): those
 * over a window each, and the others packed into batches of at most a window's messages. Only
 * the cost depends on it: a count too low (rows written around the store) makes a search read
 * all of that conversation's matches, never a wrong page.
 */
async function bySize(
  db: Kysely<Database>,
  conversations: string[],
): Promise<{ large: string[]; small: string[][] }> {
  const { rows } = await sql<{ id: string; last_seq: number | string }>`select id, last_seq
    from parley_conversations where id = any(${conversations}::text[])`.execute(db);
  const sizes = new Map(rows.map((row) => [row.id, Number(row.last_seq)]));
  const large: string[] = [];
  const small: string[][] = [];
  let batch: string[] = [];
  let held = 0;
  for (const id of conversations) {
    const size = sizes.get(id) ?? 0;
    if (size > PG_WINDOW) {
      large.push(id);
      continue;
    }
    if (held + size > PG_WINDOW && batch.length > 0) {
      small.push(batch);
      batch = [];
      held = 0;
    }
    batch.push(id);
    held += size;
  }
  if (batch.length > 0) small.push(batch);
  return { large, small };
}

/** The ids of the chunk's newest PG_WINDOW messages (after the cursor) that match, newest first. */
async function newestWindow(
  db: Kysely<Database>,
  codec: Codec,
  scope: Scope,
  chunk: readonly string[],
  wanted: number,
): Promise<{ id: string }[]> {
  const bounds: RawBuilder<unknown>[] = [];
  if (scope.notBefore !== undefined) bounds.push(sql`created_at >= ${codec.date(scope.notBefore)}`);
  if (scope.after !== null) bounds.push(before(codec, scope.after, 'parley_messages'));
  const bounded = bounds.length > 0 ? sql` and ${sql.join(bounds, sql` and `)}` : sql``;
  // A LIMIT on each branch keeps every branch a backward index walk, so the merge reads no more
  // than the window from all of them together; only the columns the check needs (the rows are
  // read whole for the page alone, which halves the walk).
  const branches = chunk.map(
    (id) => sql`(select id, created_at, recalled_at, search_tokens from parley_messages
      where conversation_id = ${id}${bounded} order by created_at desc, id desc limit ${PG_WINDOW})`,
  );
  const { rows } = await sql<{ id: string }>`select m.id from (
      select * from (${sql.join(branches, sql` union all `)}) as u
      order by created_at desc, id desc limit ${PG_WINDOW}
    ) as m
    where m.search_tokens @> ${scope.tokens}::text[] and ${filters(codec, { ...scope, after: null, notBefore: undefined }, 'm')}
    order by m.created_at desc, m.id desc limit ${wanted}`.execute(db);
  return rows;
}

/**
 * The ids of the newest matches in `conversations` from the GIN index, sorted. `scoped` also
 * restricts the index scan to those conversations (their tokens in the index): worth it when the
 * word is common elsewhere; for a rare word the scan of its own few matches is cheaper.
 */
async function indexed(
  db: Kysely<Database>,
  codec: Codec,
  scope: Scope,
  conversations: readonly string[],
  wanted: number,
  scoped: boolean,
): Promise<{ id: string }[]> {
  // The expression of parley_messages_search_scope_idx (migration 0003), written the same way.
  const indexedTerms = sql`(m.search_tokens || array[' ' || m.conversation_id])`;
  const { rows } = await sql<{ id: string }>`select m.id from parley_messages m
    where ${indexedTerms} @> ${scope.tokens}::text[]
      ${scoped ? sql`and ${indexedTerms} && ${conversations.map((id) => ` ${id}`)}::text[]` : sql``}
      and m.conversation_id = any(${[...conversations]}::text[])
      and ${filters(codec, scope, 'm')}
    order by m.created_at desc, m.id desc limit ${wanted}`.execute(db);
  return rows;
}

// --- Both -----------------------------------------------------------------------------------

function* chunksOf<T>(items: readonly T[]): Generator<T[]> {
  for (let from = 0; from < items.length; from += CHUNK) yield items.slice(from, from + CHUNK);
}

function timeOf(row: MessageRow): number {
  return row.created_at instanceof Date ? row.created_at.getTime() : Number(row.created_at);
}

/** (created_at, id) descending, ids in code-point order as both databases compare them. */
function newestFirst(a: MessageRow, b: MessageRow): number {
  return timeOf(b) - timeOf(a) || compareCodePoints(b.id, a.id);
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
