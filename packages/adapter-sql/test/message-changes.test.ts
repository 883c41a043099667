/**
 * Message changes on both dialects beyond the kit: an 0001 database with messages migrates to
 * 0002 with reply counts counted and existing text searchable; searches are served by the token
 * index (GIN, FTS5); the FTS5 index follows deletes; concurrent replies and changes to one parent
 * never deadlock and count exactly.
 */
import { postgresStore, type SqlChatStore, sqliteStore } from '@parley/adapter-sql';
import { indexTokens, queryTokens } from '@parley/chat-core';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../src/codec.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationsFor } from '../src/migrations/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const T0 = Date.UTC(2026, 0, 1);

/** Brings a fresh database to 0001 only, as a deployment before issue 15 had it. */
async function migrateTo0001(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const migrations = migrationsFor(dialect);
  const migrator = new Migrator({
    // biome-ignore lint/suspicious/noExplicitAny: the schema of the day.
    db: db as Kysely<any>,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateTo('0001_initial');
  if (error) throw error;
}

/** Rows as 0001 stored them: a conversation, a root, two replies, a recalled message. */
async function seed0001(store: SqlChatStore, dialect: DialectName): Promise<void> {
  const time = (s: number) => (dialect === 'postgres' ? new Date(T0 + s * 1000) : T0 + s * 1000);
  const bool = (b: boolean) => (dialect === 'postgres' ? b : b ? 1 : 0);
  await sql`insert into parley_conversations (id, type, member_ids, group_id, last_seq, last_message_at, created_at)
    values ('p:a:b', 'private', '["a","b"]', null, 4, ${time(4)}, ${time(0)})`.execute(store.db);
  const rows: [string, number, string, string | null, boolean][] = [
    ['m1', 1, '大家你好啊', null, false],
    ['m2', 2, 'Hello world', 'm1', false],
    ['m3', 3, 'hello again', 'm1', false],
    ['m4', 4, '', null, true],
  ];
  for (const [id, seq, content, replyTo, recalled] of rows) {
    await sql`insert into parley_messages (id, conversation_id, type, sender_id, receiver_id, group_id, content,
        content_type, mentions, mention_all, reply_to, client_msg_id, seq, created_at, recalled_at, recalled_by)
      values (${id}, 'p:a:b', 'private', 'a', 'b', null, ${content}, 'text', '[]', ${bool(false)}, ${replyTo},
        null, ${seq}, ${time(seq)}, ${recalled ? time(10) : null}, ${recalled ? 'a' : null})`.execute(
      store.db,
    );
  }
}

const search = (store: SqlChatStore, q: string) =>
  store.messages.searchMessages({
    tokens: queryTokens(q),
    conversationIds: ['p:a:b'],
    viewerId: 'b',
    limit: 10,
  });

async function upgradeKeepsData(store: SqlChatStore, dialect: DialectName): Promise<void> {
  await migrateTo0001(store.db as unknown as Kysely<unknown>, dialect);
  await seed0001(store, dialect);
  await store.ready();
  expect((await store.messages.getConversation('p:a:b'))?.lastVersion).toBe(0);
  expect(await store.messages.getMessage('m1')).toMatchObject({
    replyCount: 2,
    version: 0,
    editedAt: null,
    pinnedAt: null,
    pinnedBy: null,
  });
  expect((await store.messages.getMessage('m2'))?.replyCount).toBe(0);
  expect((await search(store, '你好')).items.map((m) => m.id)).toEqual(['m1']);
  expect((await search(store, 'hello')).items.map((m) => m.id)).toEqual(['m3', 'm2']);
  // And it goes on from there: a change stamps version 1, a new reply counts.
  const edited = await store.messages.editMessage('m2', {
    content: 'goodbye',
    editedAt: new Date(T0 + 60_000),
    searchTokens: indexTokens('goodbye'),
  });
  expect(edited?.version).toBe(1);
  expect((await search(store, 'hello')).items.map((m) => m.id)).toEqual(['m3']);
}

describe('message changes on SQLite', () => {
  it('an 0001 database with messages migrates: reply counts counted, existing text searchable', async () => {
    const store = sqliteStore({ filename: ':memory:', migrate: true });
    // A store whose first call is the raw 0001 migration, then ready() applies 0002.
    await upgradeKeepsData(store, 'sqlite');
    await store.close();
  });

  it('search is served by the FTS5 index, which follows deletes and stays consistent', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    await store.ready();
    const { rows } = await sql<{ detail: string }>`explain query plan select id from parley_messages m
      where m.search_key in (select rowid from parley_message_search where parley_message_search match '"6869"')
      and m.conversation_id in ('c') and m.recalled_at is null order by m.created_at desc, m.id desc limit 21`.execute(
      store.db,
    );
    expect(rows.map((r) => r.detail).join('\n')).toMatch(/VIRTUAL TABLE INDEX/);
    const conversation = {
      id: 'p:a:b',
      type: 'private' as const,
      memberIds: ['a', 'b'],
      groupId: null,
      lastSeq: 0,
      lastVersion: 0,
      lastMessageAt: null,
      createdAt: new Date(T0),
    };
    const say = (id: string, content: string) =>
      store.messages.appendMessage({
        id,
        conversationId: 'p:a:b',
        type: 'private',
        senderId: 'a',
        receiverId: 'b',
        groupId: null,
        content,
        contentType: 'text',
        mentions: [],
        mentionAll: false,
        replyTo: null,
        clientMsgId: null,
        createdAt: new Date(T0),
        recalledAt: null,
        recalledBy: null,
        editedAt: null,
        searchTokens: indexTokens(content),
      });
    await store.messages.ensureConversation(conversation);
    await say('x1', "don't stop");
    expect((await search(store, "don't")).items.map((m) => m.id)).toEqual(['x1']);
    expect((await search(store, 'don')).items).toEqual([]);
    // Emptied the way the PostgreSQL kit empties tables: the index forgets the rows too, so a
    // new message that gets the same key is not found by the old one's words.
    await sql`delete from parley_messages`.execute(store.db);
    await sql`delete from parley_conversations`.execute(store.db);
    await store.messages.ensureConversation(conversation);
    await say('y1', 'something else');
    expect((await search(store, 'stop')).items).toEqual([]);
    await store.messages.recallMessage('y1', 'a', new Date(T0 + 1000));
    expect((await search(store, 'something')).items).toEqual([]);
    // A row written around the store gets a key (and so its place in the index) from a trigger.
    await sql`insert into parley_messages (id, conversation_id, type, sender_id, content, content_type, mentions,
        mention_all, seq, created_at) values ('raw', 'p:a:b', 'private', 'a', 'raw', 'text', '[]', 0, 9, 0)`.execute(
      store.db,
    );
    await store.messages.editMessage('raw', {
      content: 'edited raw',
      editedAt: new Date(T0),
      searchTokens: indexTokens('edited raw'),
    });
    expect((await search(store, 'edited')).items.map((m) => m.id)).toEqual(['raw']);
    await sql`insert into parley_message_search (parley_message_search, rank) values ('integrity-check', 1)`.execute(
      store.db,
    );
    await store.close();
  });
});

describe('message changes on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('changes', { fastCommits: true });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('an 0001 database with messages migrates: reply counts counted, existing text searchable', async () => {
    const store = postgresStore({ connectionString: database.url, poolSize: 2 });
    await upgradeKeepsData(store, 'postgres');
    // Enough rows for the planner to weigh: many messages without the word, a few with it.
    await sql`insert into parley_messages (id, conversation_id, type, sender_id, content, content_type, mentions,
        mention_all, seq, created_at, search_tokens)
      select 'g' || n, 'p:a:b', 'private', 'a', 'filler', 'text', '[]', false, n + 10, now(), array['filler']
      from generate_series(1, 5000) n`.execute(store.db);
    await sql`analyze parley_messages`.execute(store.db);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select id from parley_messages m
      where m.search_tokens @> array['hello']::text[] and m.conversation_id in ('p:a:b') and m.recalled_at is null
      order by m.created_at desc, m.id desc limit 21`.execute(store.db);
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/parley_messages_search_idx/);
    await store.close();
  });

  it('concurrent replies and changes to one parent neither deadlock nor lose a count', async () => {
    const store = postgresStore({ connectionString: database.url, poolSize: 10 });
    await store.ready();
    const conversation = {
      id: 'p:c:d',
      type: 'private' as const,
      memberIds: ['c', 'd'],
      groupId: null,
      lastSeq: 0,
      lastVersion: 0,
      lastMessageAt: null,
      createdAt: new Date(T0),
    };
    await store.messages.ensureConversation(conversation);
    const draft = (id: string, replyTo: string | null) => ({
      id,
      conversationId: 'p:c:d',
      type: 'private' as const,
      senderId: 'c',
      receiverId: 'd',
      groupId: null,
      content: id,
      contentType: 'text' as const,
      mentions: [],
      mentionAll: false,
      replyTo,
      clientMsgId: null,
      createdAt: new Date(T0),
      recalledAt: null,
      recalledBy: null,
      editedAt: null,
      searchTokens: indexTokens(id),
    });
    await store.messages.appendMessage(draft('root', null));
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(store.messages.appendMessage(draft(`reply${i}`, 'root')));
      work.push(
        store.messages.editMessage('root', {
          content: `root ${i}`,
          editedAt: new Date(T0 + i),
          searchTokens: indexTokens(`root ${i}`),
        }),
      );
      work.push(
        store.messages.addReaction({
          messageId: 'root',
          userId: `u${i}`,
          emoji: '👍',
          createdAt: new Date(T0 + i),
        }),
      );
    }
    work.push(store.messages.pinMessage('root', 'c', new Date(T0), 50));
    await Promise.all(work);
    const root = await store.messages.getMessage('root');
    expect(root?.replyCount).toBe(20);
    expect(root?.version).toBe(41);
    expect((await store.messages.getConversation('p:c:d'))?.lastVersion).toBe(41);
    expect((await store.messages.summarizeReactions(['root'], 'u3')).get('root')).toEqual([
      { emoji: '👍', count: 20, mine: true },
    ]);
    await store.close();
  });
});
