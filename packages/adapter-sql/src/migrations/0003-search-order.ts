/**
 * Search served newest first, its cost bounded by the page rather than by the number of matches.
 *
 * - SQLite: the FTS5 key `search_key` becomes the message's time order: `created_at` (ms) times
 *   {@link SEARCH_KEY_SLOTS} plus the message's place among those of the same millisecond. An FTS5
 *   query `ORDER BY rowid DESC` then walks the matches newest first and stops at the page. The
 *   index also holds each message's conversation as one more token (`search_conversation`, a
 *   generated column: `x` and the hex of the id, never a token's even-length hex), so a walk can
 *   be restricted to the caller's conversations by the index itself. Existing rows are re-keyed
 *   and the index rebuilt from them; the triggers are those of 0002 with the new column and a
 *   time key for a row inserted without one.
 * - PostgreSQL: a btree on `(conversation_id, created_at, id)`, walked newest first per
 *   conversation (merged across conversations), and the GIN index now over the tokens plus the
 *   conversation (`search_tokens || array[' ' || conversation_id]`, a space never being inside a
 *   token), so a rare word is found in the caller's conversations without reading the others'
 *   matches. It replaces the GIN index of 0002, which no query uses any more.
 *
 * Every statement tolerates a half-applied earlier run (`if exists` / `if not exists`); the
 * migration itself runs once, under the migration lock (see `migrate.ts`).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../codec.js';
import { SEARCH_KEY_SLOTS } from '../search.js';
import { createSqliteSearchIndex } from './0002-message-changes.js';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against whatever schema exists.
type AnyDb = Kysely<any>;

const SLOTS = sql.lit(SEARCH_KEY_SLOTS);

const SQLITE_TRIGGERS = [
  'parley_messages_search_key',
  'parley_messages_search_ai',
  'parley_messages_search_ad',
  'parley_messages_search_au',
];

export function searchOrderMigration(dialect: DialectName): Migration {
  if (dialect === 'postgres') {
    return {
      async up(db: AnyDb) {
        await sql`create index if not exists parley_messages_search_order_idx
            on parley_messages (conversation_id, created_at, id)`.execute(db);
        await sql`create index if not exists parley_messages_search_scope_idx
            on parley_messages using gin ((search_tokens || array[' ' || conversation_id]))`.execute(db);
        await sql`drop index if exists parley_messages_search_idx`.execute(db);
        // Statistics of the new index's expression, so the planner weighs a word's frequency now
        // rather than after the next autovacuum (a second or so on a million rows).
        await sql`analyze parley_messages`.execute(db);
      },
      async down(db: AnyDb) {
        await sql`create index if not exists parley_messages_search_idx
            on parley_messages using gin (search_tokens)`.execute(db);
        await sql`drop index if exists parley_messages_search_scope_idx`.execute(db);
        await sql`drop index if exists parley_messages_search_order_idx`.execute(db);
      },
    };
  }

  return {
    async up(db: AnyDb) {
      // Triggers and index first: the keys change under them, and the index is rebuilt once.
      for (const trigger of SQLITE_TRIGGERS)
        await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
      await sql`drop table if exists parley_message_search`.execute(db);
      await sql`drop index if exists parley_messages_search_key`.execute(db);

      // Every row keyed by its time; ties in a millisecond take their places in id order.
      await sql`update parley_messages set search_key = keyed.k from (
          select rowid as r,
            created_at * ${SLOTS} + row_number() over (partition by created_at order by id) - 1 as k
          from parley_messages
        ) as keyed where parley_messages.rowid = keyed.r`.execute(db);
      await sql`create unique index if not exists parley_messages_search_key
          on parley_messages (search_key)`.execute(db);

      const columns = await sql<{
        name: string;
      }>`select name from pragma_table_xinfo('parley_messages')`.execute(db);
      if (!columns.rows.some((c) => c.name === 'search_conversation')) {
        await sql`alter table parley_messages add column search_conversation text
            generated always as (case when search_text is null then null else 'x' || hex(conversation_id) end) virtual`.execute(
          db,
        );
      }

      await sql`create virtual table parley_message_search using fts5(
          search_text, search_conversation,
          content = 'parley_messages', content_rowid = 'search_key', tokenize = 'ascii'
        )`.execute(db);
      await sql`insert into parley_message_search (parley_message_search) values ('rebuild')`.execute(db);

      // A row written around the store (no key) gets its time key, and so its place in the index.
      await sql`create trigger parley_messages_search_key after insert on parley_messages
          when new.search_key is null begin
            update parley_messages set search_key = (
              select coalesce(max(k.search_key) + 1, new.created_at * ${SLOTS}) from parley_messages k
              where k.search_key >= new.created_at * ${SLOTS} and k.search_key < (new.created_at + 1) * ${SLOTS}
            ) where rowid = new.rowid;
          end`.execute(db);
      await sql`create trigger parley_messages_search_ai after insert on parley_messages
          when new.search_key is not null begin
            insert into parley_message_search (rowid, search_text, search_conversation)
              values (new.search_key, new.search_text, new.search_conversation);
          end`.execute(db);
      await sql`create trigger parley_messages_search_ad after delete on parley_messages
          when old.search_key is not null begin
            insert into parley_message_search (parley_message_search, rowid, search_text, search_conversation)
              values ('delete', old.search_key, old.search_text, old.search_conversation);
          end`.execute(db);
      await sql`create trigger parley_messages_search_au after update of search_text, search_key, conversation_id
          on parley_messages begin
            insert into parley_message_search (parley_message_search, rowid, search_text, search_conversation)
              select 'delete', old.search_key, old.search_text, old.search_conversation
              where old.search_key is not null;
            insert into parley_message_search (rowid, search_text, search_conversation)
              select new.search_key, new.search_text, new.search_conversation where new.search_key is not null;
          end`.execute(db);
    },

    async down(db: AnyDb) {
      // Back to 0002's index and triggers; the keys stay as they are (0002 only needs them unique).
      for (const trigger of SQLITE_TRIGGERS)
        await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db);
      await sql`drop table if exists parley_message_search`.execute(db);
      await sql`alter table parley_messages drop column search_conversation`.execute(db);
      await createSqliteSearchIndex(db);
    },
  };
}
