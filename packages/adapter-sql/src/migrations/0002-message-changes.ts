/**
 * Message changes (issue 15): edits, the per-conversation change counter and each message's
 * version, thread reply counts, pins, reactions and search.
 *
 * - `parley_conversations.last_version`; `parley_messages.edited_at, version, reply_count,
 *   pinned_at, pinned_by`, with defaults, so existing rows read as never changed (0/null).
 * - `parley_reactions`: one row per (message, user, emoji) by a unique key, ordered by `id`.
 * - Indexes: (conversation_id, version) for listChanged, (reply_to, seq) for threads, pinned
 *   messages per conversation (partial), reactions per message.
 * - Search. PostgreSQL: a `text[]` column `search_tokens` with a GIN index, queried with `@>`.
 *   SQLite: an FTS5 table `parley_message_search` over `parley_messages.search_text` (external
 *   content, keyed by the stable integer `search_key`), kept in step by triggers on every insert,
 *   delete and change of the text, as the FTS5 documentation describes. Every row with a key is
 *   in the index (with its text, or none), so a delete names exactly what was indexed and the
 *   index passes FTS5's integrity-check; a row inserted without a key gets one from a trigger.
 *
 * Existing rows are brought along: reply counts are counted, and the text messages that are not
 * recalled are indexed with the core's tokens (`indexTokens`), in batches.
 */
import { indexTokens } from '@parley/chat-core';
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../codec.js';
import { ftsText } from '../search.js';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

/** Rows indexed per statement batch while bringing existing messages into the search index. */
const BACKFILL_BATCH = 500;

export function messageChangesMigration(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const text = pg ? sql`text collate "C"` : sql`text`;
  const time = pg ? sql`timestamptz` : sql`integer`;
  const int = sql`integer`;

  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('parley_conversations')
        .addColumn('last_version', int, (c) => c.notNull().defaultTo(0))
        .execute();
      for (const [name, type] of [
        ['edited_at', time],
        ['version', int],
        ['reply_count', int],
        ['pinned_at', time],
        ['pinned_by', text],
      ] as const) {
        await db.schema
          .alterTable('parley_messages')
          .addColumn(name, type, (c) =>
            name === 'version' || name === 'reply_count' ? c.notNull().defaultTo(0) : c,
          )
          .execute();
      }
      if (pg) {
        await db.schema
          .alterTable('parley_messages')
          .addColumn('search_tokens', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
          .execute();
      } else {
        await db.schema.alterTable('parley_messages').addColumn('search_key', int).execute();
        await db.schema.alterTable('parley_messages').addColumn('search_text', sql`text`).execute();
      }

      // listChanged: a conversation's messages by version.
      await db.schema
        .createIndex('parley_messages_version_idx')
        .on('parley_messages')
        .columns(['conversation_id', 'version'])
        .execute();
      // Threads: the replies of a message by seq (also what counts them below).
      await db.schema
        .createIndex('parley_messages_thread_idx')
        .on('parley_messages')
        .columns(['reply_to', 'seq'])
        .where(sql.ref('reply_to'), 'is not', null)
        .execute();
      // Pins: a conversation's pinned messages, counted against the limit and listed.
      await db.schema
        .createIndex('parley_messages_pinned_idx')
        .on('parley_messages')
        .columns(['conversation_id', 'pinned_at', 'seq'])
        .where(sql.ref('pinned_at'), 'is not', null)
        .execute();

      await db.schema
        .createTable('parley_reactions')
        .addColumn('id', pg ? sql`bigint` : sql`integer`, (c) =>
          pg ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey(),
        )
        .addColumn('message_id', text, (c) => c.notNull())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('emoji', text, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      // One reaction per user and emoji on a message; also serves the summaries per message.
      await db.schema
        .createIndex('parley_reactions_key')
        .on('parley_reactions')
        .columns(['message_id', 'user_id', 'emoji'])
        .unique()
        .execute();

      // Existing replies counted on their parents.
      await sql`update parley_messages set reply_count = (
          select count(*) from parley_messages r where r.reply_to = parley_messages.id
        ) where exists (select 1 from parley_messages r where r.reply_to = parley_messages.id)`.execute(db);

      if (!pg) {
        // Existing rows get their keys from their current rowid; new ones take max + 1.
        await sql`update parley_messages set search_key = rowid`.execute(db);
        await db.schema
          .createIndex('parley_messages_search_key')
          .on('parley_messages')
          .column('search_key')
          .unique()
          .execute();
      }

      // Existing text messages indexed with the core's tokens, a batch at a time.
      let after = '';
      for (;;) {
        const rows: { id: string; content: string }[] = await db
          .selectFrom('parley_messages')
          .select(['id', 'content'])
          .where('id', '>', after)
          .where('content_type', '=', 'text')
          .where('recalled_at', 'is', null)
          .orderBy('id')
          .limit(BACKFILL_BATCH)
          .execute();
        if (rows.length === 0) break;
        for (const row of rows) {
          const tokens = indexTokens(row.content);
          if (tokens.length === 0) continue;
          await db
            .updateTable('parley_messages')
            .set(pg ? { search_tokens: tokens } : { search_text: ftsText(tokens) })
            .where('id', '=', row.id)
            .execute();
        }
        after = (rows.at(-1) as { id: string }).id;
      }

      if (pg) {
        // Built after the backfill: one pass instead of an index update per row.
        await db.schema
          .createIndex('parley_messages_search_idx')
          .on('parley_messages')
          .using('gin')
          .column('search_tokens')
          .execute();
      } else {
        // The index is built from the rows as they now are (every row has a key, the texts are
        // backfilled), then triggers keep it in step: every row with a key is in the index, with
        // its text or none (an FTS5 external-content index expects each content row to be there).
        await createSqliteSearchIndex(db);
      }
    },

    async down(db: AnyDb) {
      if (!pg) {
        for (const trigger of [
          'parley_messages_search_ai',
          'parley_messages_search_ad',
          'parley_messages_search_au',
        ]) {
          await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
        }
        await sql`drop table if exists parley_message_search`.execute(db);
      }
      await db.schema.dropTable('parley_reactions').ifExists().execute();
      for (const index of [
        'parley_messages_version_idx',
        'parley_messages_thread_idx',
        'parley_messages_pinned_idx',
        pg ? 'parley_messages_search_idx' : 'parley_messages_search_key',
      ]) {
        await db.schema.dropIndex(index).ifExists().execute();
      }
      for (const column of [
        'edited_at',
        'version',
        'reply_count',
        'pinned_at',
        'pinned_by',
        ...(pg ? ['search_tokens'] : ['search_key', 'search_text']),
      ]) {
        await db.schema.alterTable('parley_messages').dropColumn(column).execute();
      }
      await db.schema.alterTable('parley_conversations').dropColumn('last_version').execute();
    },
  };
}

/**
 * Version 0002's SQLite search index: the FTS5 table over `search_text`, built from the rows as
 * they are, and the triggers that keep it in step. Also what 0003's down migration goes back to.
 */
export async function createSqliteSearchIndex(db: AnyDb): Promise<void> {
  await sql`create virtual table parley_message_search using fts5(
        search_text, content = 'parley_messages', content_rowid = 'search_key', tokenize = 'ascii'
      )`.execute(db);
  await sql`insert into parley_message_search (parley_message_search) values ('rebuild')`.execute(db);
  // A row written around the store (no key) gets one, and so its place in the index.
  await sql`create trigger parley_messages_search_key after insert on parley_messages
        when new.search_key is null begin
          update parley_messages set search_key = (select coalesce(max(search_key), 0) + 1 from parley_messages)
            where rowid = new.rowid;
        end`.execute(db);
  await sql`create trigger parley_messages_search_ai after insert on parley_messages
        when new.search_key is not null begin
          insert into parley_message_search (rowid, search_text) values (new.search_key, new.search_text);
        end`.execute(db);
  await sql`create trigger parley_messages_search_ad after delete on parley_messages
        when old.search_key is not null begin
          insert into parley_message_search (parley_message_search, rowid, search_text)
            values ('delete', old.search_key, old.search_text);
        end`.execute(db);
  await sql`create trigger parley_messages_search_au after update of search_text, search_key
        on parley_messages begin
          insert into parley_message_search (parley_message_search, rowid, search_text)
            select 'delete', old.search_key, old.search_text where old.search_key is not null;
          insert into parley_message_search (rowid, search_text)
            select new.search_key, new.search_text where new.search_key is not null;
        end`.execute(db);
}
