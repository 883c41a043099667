/**
 * Changes to stored messages (recall, edit, reactions, pins) and the reads they serve: changed
 * messages since a version, threads, pins and search.
 *
 * Every change is one transaction that first raises the conversation's change counter
 * (`UPDATE conversations SET last_version = last_version + 1 … RETURNING last_version`, which
 * holds the conversation row on PostgreSQL and the writer lock on SQLite until commit) and then
 * writes the message with that version, so concurrent changes get distinct versions that commit
 * in their order. A change that turns out to be a no-op (a repeat, a recalled message, a full
 * pin list) rolls the transaction back: no version is burnt. The conversation row is always the
 * first lock taken (appends take it first too), so two writers never wait on each other in a
 * cycle. Pins count against the limit under that same lock, which makes the limit atomic.
 */
import type { MessageRecord, MessageStore, Page } from '@parley/chat-core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { readInt } from './codec.js';
import type { Database } from './database.js';
import { guard } from './errors.js';
import type { Ready } from './handle.js';
import { MESSAGE_COLUMNS, type MessageRow, searchColumns, toMessage } from './message-rows.js';
import { searchMessages, tokenFrequencies } from './message-search.js';
import { decodeCursor, emptyPage, encodeCursor, toPage } from './paging.js';
import { nextSearchKey } from './search.js';

type ChangeMethods = Pick<
  MessageStore,
  | 'recallMessage'
  | 'editMessage'
  | 'addReaction'
  | 'removeReaction'
  | 'summarizeReactions'
  | 'pinMessage'
  | 'unpinMessage'
  | 'listPinned'
  | 'listChanged'
  | 'listReplies'
  | 'searchMessages'
>;

/** The message is not stored. */
const MISSING = Symbol('missing');
/** The change was a no-op: the transaction rolled back, nothing written, no version used. */
const UNCHANGED = Symbol('unchanged');

class RollBack extends Error {}

/**
 * Runs `apply` in a transaction that has raised the message's conversation's change counter;
 * `apply` writes the message with `version` (null when the conversation row is missing: the
 * message keeps its version then, as memoryStore does) or answers UNCHANGED to roll back.
 */
async function withVersion<T>(
  db: Kysely<Database>,
  messageId: string,
  apply: (trx: Transaction<Database>, version: number | null) => Promise<T | typeof UNCHANGED>,
): Promise<T | typeof UNCHANGED | typeof MISSING> {
  try {
    return await db.transaction().execute(async (trx) => {
      const target = await trx
        .selectFrom('parley_messages')
        .select('conversation_id')
        .where('id', '=', messageId)
        .executeTakeFirst();
      if (!target) return MISSING;
      const bumped = await trx
        .updateTable('parley_conversations')
        .set((eb) => ({ last_version: eb('last_version', '+', 1) }))
        .where('id', '=', target.conversation_id)
        .returning('last_version')
        .executeTakeFirst();
      const result = await apply(trx, bumped ? bumped.last_version : null);
      if (result === UNCHANGED) throw new RollBack();
      return result;
    });
  } catch (error) {
    if (error instanceof RollBack) return UNCHANGED;
    throw error;
  }
}

const versionOf = (version: number | null) => (version === null ? {} : { version });

/** Not deleted-for-me by `viewerId` (the message table aliased `m`). */
const notHiddenFor = (viewerId: string) =>
  sql<boolean>`not exists (select 1 from parley_hidden_messages h where h.user_id = ${viewerId} and h.message_id = m.id)`;

function isSymbol(value: unknown): value is symbol {
  return typeof value === 'symbol';
}

export function messageChangeMethods(ready: Ready): ChangeMethods {
  const frequencies = tokenFrequencies();
  const read = async (db: Kysely<Database>, id: string): Promise<MessageRecord | null> => {
    const row = await db
      .selectFrom('parley_messages')
      .select(MESSAGE_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toMessage(row) : null;
  };
  const stamp = async (
    trx: Transaction<Database>,
    id: string,
    version: number | null,
  ): Promise<MessageRow | undefined> =>
    trx
      .updateTable('parley_messages')
      .set(versionOf(version))
      .where('id', '=', id)
      .returning(MESSAGE_COLUMNS)
      .executeTakeFirst();

  return {
    recallMessage: (id, by, at) =>
      guard(async () => {
        const { db, codec } = await ready();
        // Conditional on not yet recalled: a later recall keeps the first one's author, time and version.
        const result = await withVersion(db, id, async (trx, version) => {
          const row = await trx
            .updateTable('parley_messages')
            .set({
              content: '',
              recalled_at: codec.date(at),
              recalled_by: by,
              ...searchColumns(codec, []),
              ...versionOf(version),
            })
            .where('id', '=', id)
            .where('recalled_at', 'is', null)
            .returning(MESSAGE_COLUMNS)
            .executeTakeFirst();
          return row ? toMessage(row) : UNCHANGED;
        });
        if (result === MISSING) return null;
        return result === UNCHANGED ? read(db, id) : result;
      }),

    editMessage: (id, edit) =>
      guard(async () => {
        const { db, codec } = await ready();
        const result = await withVersion(db, id, async (trx, version) => {
          const row = await trx
            .updateTable('parley_messages')
            .set({
              content: edit.content,
              edited_at: codec.date(edit.editedAt),
              ...searchColumns(codec, edit.searchTokens),
              // A row stored without a key (written around the store) gets one now.
              ...(codec.dialect === 'sqlite'
                ? {
                    search_key: sql<number>`coalesce(search_key, ${nextSearchKey(sql.ref('parley_messages.created_at'))})`,
                  }
                : {}),
              ...versionOf(version),
            })
            .where('id', '=', id)
            .where('recalled_at', 'is', null)
            .returning(MESSAGE_COLUMNS)
            .executeTakeFirst();
          return row ? toMessage(row) : UNCHANGED;
        });
        return isSymbol(result) ? null : result;
      }),

    addReaction: (reaction) =>
      guard(async () => {
        const { db, codec } = await ready();
        const result = await withVersion(db, reaction.messageId, async (trx, version) => {
          const inserted = await trx
            .insertInto('parley_reactions')
            .values({
              message_id: reaction.messageId,
              user_id: reaction.userId,
              emoji: reaction.emoji,
              created_at: codec.date(reaction.createdAt),
            })
            .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
            .returning('message_id')
            .executeTakeFirst();
          if (!inserted) return UNCHANGED;
          const row = await stamp(trx, reaction.messageId, version);
          return row ? toMessage(row) : UNCHANGED;
        });
        if (result === MISSING) return { message: null, added: false };
        if (result === UNCHANGED) return { message: await read(db, reaction.messageId), added: false };
        return { message: result, added: true };
      }),

    removeReaction: (messageId, userId, emoji) =>
      guard(async () => {
        const { db } = await ready();
        const result = await withVersion(db, messageId, async (trx, version) => {
          const deleted = await trx
            .deleteFrom('parley_reactions')
            .where('message_id', '=', messageId)
            .where('user_id', '=', userId)
            .where('emoji', '=', emoji)
            .returning('message_id')
            .executeTakeFirst();
          if (!deleted) return UNCHANGED;
          const row = await stamp(trx, messageId, version);
          return row ? toMessage(row) : UNCHANGED;
        });
        if (result === MISSING) return { message: null, removed: false };
        if (result === UNCHANGED) return { message: await read(db, messageId), removed: false };
        return { message: result, removed: true };
      }),

    summarizeReactions: (messageIds, viewerId) =>
      guard(async () => {
        const summaries = new Map<string, { emoji: string; count: number; mine: boolean }[]>();
        const ids = [...new Set(messageIds)];
        if (ids.length === 0) return summaries;
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_reactions')
          .select((eb) => [
            'message_id',
            'emoji',
            eb.fn.countAll<number | string>().as('n'),
            eb.fn
              .max<number | string>(eb.case().when('user_id', '=', viewerId).then(1).else(0).end())
              .as('mine'),
          ])
          .where('message_id', 'in', ids)
          .groupBy(['message_id', 'emoji'])
          // First reaction first: the ordering column's smallest id of each emoji.
          .orderBy('message_id')
          .orderBy(sql`min(id)`)
          .execute();
        for (const row of rows) {
          let list = summaries.get(row.message_id);
          if (!list) {
            list = [];
            summaries.set(row.message_id, list);
          }
          list.push({ emoji: row.emoji, count: readInt(row.n), mine: readInt(row.mine) === 1 });
        }
        return summaries;
      }),

    pinMessage: (id, by, at, maxPins) =>
      guard(async () => {
        const { db, codec } = await ready();
        let outcome: 'already' | 'full' = 'already';
        const result = await withVersion(db, id, async (trx, version) => {
          // Under the conversation's lock: no other pin or unpin there runs until we commit.
          const current = await trx
            .selectFrom('parley_messages')
            .select(['conversation_id', 'pinned_at'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          if (current.pinned_at !== null) return UNCHANGED;
          const { n } = await trx
            .selectFrom('parley_messages')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('conversation_id', '=', current.conversation_id)
            .where('pinned_at', 'is not', null)
            .executeTakeFirstOrThrow();
          if (readInt(n) >= maxPins) {
            outcome = 'full';
            return UNCHANGED;
          }
          const row = await trx
            .updateTable('parley_messages')
            .set({ pinned_at: codec.date(at), pinned_by: by, ...versionOf(version) })
            .where('id', '=', id)
            .returning(MESSAGE_COLUMNS)
            .executeTakeFirstOrThrow();
          return toMessage(row);
        });
        if (result === MISSING) return null;
        if (result === UNCHANGED) {
          const message = await read(db, id);
          return message ? { message, outcome } : null;
        }
        return { message: result, outcome: 'pinned' as const };
      }),

    unpinMessage: (id) =>
      guard(async () => {
        const { db } = await ready();
        const result = await withVersion(db, id, async (trx, version) => {
          const row = await trx
            .updateTable('parley_messages')
            .set({ pinned_at: null, pinned_by: null, ...versionOf(version) })
            .where('id', '=', id)
            .where('pinned_at', 'is not', null)
            .returning(MESSAGE_COLUMNS)
            .executeTakeFirst();
          return row ? toMessage(row) : UNCHANGED;
        });
        if (result === MISSING) return null;
        if (result === UNCHANGED) {
          const message = await read(db, id);
          return message ? { message, unpinned: false } : null;
        }
        return { message: result, unpinned: true };
      }),

    listPinned: (conversationId) =>
      guard(async () => {
        const { db } = await ready();
        const rows = await db
          .selectFrom('parley_messages')
          .select(MESSAGE_COLUMNS)
          .where('conversation_id', '=', conversationId)
          .where('pinned_at', 'is not', null)
          .orderBy('pinned_at', 'desc')
          .orderBy('seq', 'desc')
          .execute();
        return rows.map(toMessage);
      }),

    listChanged: (conversationId, query) =>
      guard(async () => {
        if (query.limit < 1) return { items: [], hasMore: false };
        const { db, codec } = await ready();
        const { viewerId, notBefore } = query;
        const rows = await db
          .selectFrom('parley_messages as m')
          .select(MESSAGE_COLUMNS)
          .where('m.conversation_id', '=', conversationId)
          .where('m.version', '>', query.afterVersion)
          .where('m.seq', '<=', query.maxSeq)
          .$if(notBefore !== undefined, (q) => q.where('m.created_at', '>=', codec.date(notBefore as Date)))
          .$if(viewerId !== undefined, (q) => q.where(notHiddenFor(viewerId as string)))
          .orderBy('m.version')
          .limit(query.limit + 1)
          .execute();
        const hasMore = rows.length > query.limit;
        return { items: (hasMore ? rows.slice(0, query.limit) : rows).map(toMessage), hasMore };
      }),

    listReplies: (messageId, query) =>
      guard(async (): Promise<Page<MessageRecord>> => {
        const list = `thread:${messageId}`;
        const after = decodeCursor(list, query.cursor, { s: 'number' })?.s ?? null;
        if (query.limit < 1) return emptyPage<MessageRecord>();
        const { db, codec } = await ready();
        const { viewerId, notBefore } = query;
        const rows = await db
          .selectFrom('parley_messages as m')
          .select(MESSAGE_COLUMNS)
          .where('m.reply_to', '=', messageId)
          .$if(after !== null, (q) => q.where('m.seq', '>', after as number))
          .$if(notBefore !== undefined, (q) => q.where('m.created_at', '>=', codec.date(notBefore as Date)))
          .$if(viewerId !== undefined, (q) => q.where(notHiddenFor(viewerId as string)))
          .orderBy('m.seq')
          .limit(query.limit + 1)
          .execute();
        return toPage(rows, query.limit, toMessage, (last) => encodeCursor(list, { s: last.seq }));
      }),

    searchMessages: (query) => guard(() => searchMessages(ready, query, frequencies)),
  };
}
