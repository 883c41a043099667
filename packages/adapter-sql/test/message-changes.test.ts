/**
 * Message changes on both dialects beyond the kit: an 0001 database with messages migrates to the
 * latest schema with reply counts counted and existing text searchable; an 0002 database gets
 * search keys in time order (0003); searches walk their indexes newest first instead of sorting
 * every match (the statements the store runs, explained); the FTS5 index follows deletes;
 * concurrent replies and changes to one parent never deadlock and count exactly.
 */
import { postgresStore, type SqlChatStore, sqliteStore } from '@parley/adapter-sql';
import { indexTokens, queryTokens } from '@parley/chat-core';
import BetterSqlite3 from 'better-sqlite3';
import { type Kysely, Migrator, type PostgresPool, type SqliteDatabase, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../src/codec.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationsFor } from '../src/migrations/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const T0 = Date.UTC(2026, 0, 1);

/** Brings a fresh database to `version` only, as a deployment of that day had it. */
async function migrateTo(db: Kysely<unknown>, dialect: DialectName, version: string): Promise<void> {
  const migrations = migrationsFor(dialect);
  const migrator = new Migrator({
    // biome-ignore lint/suspicious/noExplicitAny: the schema of the day.
    db: db as Kysely<any>,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateTo(version);
  if (error) throw error;
}

/** A statement the store ran, with its parameters. */
interface Ran {
  sql: string;
  parameters: readonly unknown[];
}

/** A better-sqlite3 database that records every statement run through it. */
function recordingSqlite(): { database: SqliteDatabase; raw: BetterSqlite3.Database; ran: Ran[] } {
  const raw = new BetterSqlite3(':memory:');
  const ran: Ran[] = [];
  const database: SqliteDatabase = {
    close: () => raw.close(),
    prepare(source: string) {
      const statement = raw.prepare(source);
      return {
        reader: statement.reader,
        all: (parameters: readonly unknown[]) => {
          ran.push({ sql: source, parameters });
          return statement.all(...(parameters as unknown[]));
        },
        run: (parameters: readonly unknown[]) => statement.run(...(parameters as unknown[])),
        iterate: (parameters: readonly unknown[]) => statement.iterate(...(parameters as unknown[])),
      } as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
  return { database, raw, ran };
}

/** A pg pool that records every query run through clients it hands out (`connect()` only). */
function recordingPool(url: string): { pool: pg.Pool; ran: Ran[] } {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // Idle clients are cut when the test database is dropped.
  pool.on('error', () => {});
  const ran: Ran[] = [];
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const recorded = new WeakSet<pg.PoolClient>();
  Object.assign(pool, {
    connect: async () => {
      const client = await connect();
      if (!recorded.has(client)) {
        recorded.add(client);
        const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<unknown>;
        Object.assign(client, {
          query: (text: string, values?: unknown[]) => {
            if (typeof text === 'string') ran.push({ sql: text, parameters: values ?? [] });
            return query(text, values);
          },
        });
      }
      return client;
    },
  });
  return { pool, ran };
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
  await migrateTo(store.db as unknown as Kysely<unknown>, dialect, '0001_initial');
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
  it('search walks the FTS5 index newest first: no statement sorts the matches', async () => {
    const { database, raw, ran } = recordingSqlite();
    const store = sqliteStore({ database });
    await store.ready();
    for (const id of ['p:a:b', 'p:a:c'])
      await store.messages.ensureConversation({
        id,
        type: 'private',
        memberIds: id.split(':').slice(1),
        groupId: null,
        lastSeq: 0,
        lastVersion: 0,
        lastMessageAt: null,
        createdAt: new Date(T0),
      });
    // A common word in both conversations, four messages a millisecond, and a rare one.
    for (let i = 0; i < 40; i++) {
      const content = i === 17 ? 'status rare' : 'status update';
      await store.messages.appendMessage({
        id: `m${String(39 - i).padStart(2, '0')}`,
        conversationId: i % 2 === 0 ? 'p:a:b' : 'p:a:c',
        type: 'private',
        senderId: 'a',
        receiverId: i % 2 === 0 ? 'b' : 'c',
        groupId: null,
        content,
        contentType: 'text',
        mentions: [],
        mentionAll: false,
        replyTo: null,
        clientMsgId: null,
        createdAt: new Date(T0 + Math.floor(i / 4)),
        recalledAt: null,
        recalledBy: null,
        editedAt: null,
        searchTokens: indexTokens(content),
      });
    }
    ran.length = 0;
    const query = (q: string, conversationIds: string[], cursor?: string) =>
      store.messages.searchMessages({
        tokens: queryTokens(q),
        conversationIds,
        viewerId: 'a',
        limit: 6,
        cursor,
      });
    const first = await query('status', ['p:a:b', 'p:a:c']);
    // Newest millisecond first, ids descending inside it (m03..m00 are the four of T0 + 9, stored
    // m03 first, so in key order the other way round); the first page ends inside T0 + 8.
    expect(first.items.map((m) => m.id)).toEqual(['m03', 'm02', 'm01', 'm00', 'm07', 'm06']);
    const second = await query('status', ['p:a:b', 'p:a:c'], first.nextCursor ?? '');
    expect(second.items.map((m) => m.id)).toEqual(['m05', 'm04', 'm11', 'm10', 'm09', 'm08']);
    expect((await query('rare', ['p:a:b', 'p:a:c'])).items.map((m) => m.id)).toEqual(['m22']);
    expect((await query('rare', ['p:a:b'])).items).toEqual([]);
    const walks = ran.filter((r) => r.sql.includes('parley_message_search'));
    expect(walks.length).toBeGreaterThanOrEqual(4);
    for (const walk of walks) {
      const plan = (
        raw.prepare(`explain query plan ${walk.sql}`).all(...(walk.parameters as unknown[])) as {
          detail: string;
        }[]
      )
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toMatch(/^(CO-ROUTINE s\n)?SCAN parley_message_search VIRTUAL TABLE INDEX/);
      expect(plan).toMatch(/SEARCH m USING INDEX parley_messages_search_key \(search_key=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
    await store.close();
    raw.close();
  });

  it('an 0002 database migrates: search keys follow time, the index holds each conversation', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    const db = store.db as unknown as Kysely<unknown>;
    await migrateTo(db, 'sqlite', '0002_message_changes');
    await sql`insert into parley_conversations (id, type, member_ids, group_id, last_seq, last_version,
        last_message_at, created_at) values ('p:a:b', 'private', '["a","b"]', null, 4, 0, ${T0}, ${T0})`.execute(
      db,
    );
    // Stored in another order than their times (0002 keyed rows in the order they came).
    const rows: [string, number, number][] = [
      ['n1', 1, 30],
      ['n2', 2, 10],
      ['n3', 3, 20],
      ['n4', 4, 20],
    ];
    for (const [id, seq, seconds] of rows) {
      await sql`insert into parley_messages (id, conversation_id, type, sender_id, content, content_type, mentions,
          mention_all, seq, created_at, search_text) values (${id}, 'p:a:b', 'private', 'a', 'old news', 'text', '[]', 0,
          ${seq}, ${T0 + seconds * 1000}, ${'6f6c64 6e657773'})`.execute(db);
    }
    await store.ready();
    expect((await search(store, 'news')).items.map((m) => m.id)).toEqual(['n1', 'n4', 'n3', 'n2']);
    const { rows: keys } = await sql<{ id: string; key: string }>`select id, cast(search_key as text) as key
      from parley_messages order by search_key`.execute(db);
    expect(keys.map((k) => k.id)).toEqual(['n2', 'n3', 'n4', 'n1']);
    expect(BigInt(keys[0]?.key ?? 0)).toBe(BigInt(T0 + 10_000) * 1_048_576n);
    expect(BigInt(keys[2]?.key ?? 0)).toBe(BigInt(T0 + 20_000) * 1_048_576n + 1n);
    // A new message in between and a row written around the store land in their places.
    await store.messages.appendMessage({
      id: 'n5',
      conversationId: 'p:a:b',
      type: 'private',
      senderId: 'b',
      receiverId: 'a',
      groupId: null,
      content: 'news again',
      contentType: 'text',
      mentions: [],
      mentionAll: false,
      replyTo: null,
      clientMsgId: null,
      createdAt: new Date(T0 + 20_000),
      recalledAt: null,
      recalledBy: null,
      editedAt: null,
      searchTokens: indexTokens('news again'),
    });
    await sql`insert into parley_messages (id, conversation_id, type, sender_id, content, content_type, mentions,
        mention_all, seq, created_at, search_text) values ('n6', 'p:a:b', 'private', 'a', 'news', 'text', '[]', 0, 9,
        ${T0 + 15_000}, ${'6e657773'})`.execute(db);
    expect((await search(store, 'news')).items.map((m) => m.id)).toEqual([
      'n1',
      'n5',
      'n4',
      'n3',
      'n6',
      'n2',
    ]);
    await sql`insert into parley_message_search (parley_message_search, rank) values ('integrity-check', 1)`.execute(
      db,
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
    await store.close();
  });

  it('search plans: a common word walks (conversation, created_at, id) newest first, a rare one asks the GIN index', async () => {
    const { pool, ran } = recordingPool(database.url);
    const store = postgresStore({ pool: pool as unknown as PostgresPool });
    await store.ready();
    for (const id of ['p:e:f', 'p:e:g'])
      await store.messages.ensureConversation({
        id,
        type: 'private',
        memberIds: id.split(':').slice(1),
        groupId: null,
        lastSeq: 0,
        lastVersion: 0,
        lastMessageAt: null,
        createdAt: new Date(T0),
      });
    // Enough rows for the planner to weigh: 20,000 per conversation, a word in one in five, another
    // in three messages.
    await sql`insert into parley_messages (id, conversation_id, type, sender_id, content, content_type, mentions,
        mention_all, seq, created_at, search_tokens)
      select 'f' || n, case when n % 2 = 0 then 'p:e:f' else 'p:e:g' end, 'private', 'e', 'filler', 'text', '[]',
        false, n, ${new Date(T0)}::timestamptz + n * interval '1 second',
        case when n in (7, 20001, 39998) then array['filler', 'rare'] when n % 5 = 0 then array['filler', 'common']
          else array['filler'] end
      from generate_series(1, 40000) n`.execute(store.db);
    // Each conversation's count, as 20,000 appends would have left it.
    await sql`update parley_conversations set last_seq = 20000 where id in ('p:e:f', 'p:e:g')`.execute(
      store.db,
    );
    await sql`analyze parley_messages`.execute(store.db);
    ran.length = 0;
    const query = (q: string) =>
      store.messages.searchMessages({
        tokens: queryTokens(q),
        conversationIds: ['p:e:f', 'p:e:g'],
        viewerId: 'e',
        limit: 20,
      });
    const common = await query('common');
    expect(common.items.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `f${40000 - 5 * i}`));
    expect((await query('rare')).items.map((m) => m.id)).toEqual(['f39998', 'f20001', 'f7']);
    const searches = ran.filter((r) => r.sql.includes('search_tokens') && !r.sql.includes('pg_stats'));
    // The common word: the window alone. The rare one, which the statistics do not list among
    // the common elements: the GIN index alone.
    expect(searches).toHaveLength(2);
    const plans: string[] = [];
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    for (const statement of searches) {
      const { rows } = await client.query(`explain ${statement.sql}`, statement.parameters as unknown[]);
      plans.push(rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n'));
    }
    await client.end();
    for (const plan of plans) expect(plan).not.toMatch(/Seq Scan on parley_messages/);
    expect(plans[0]).toMatch(/Merge Append/);
    expect(plans[0]).toMatch(/Index Scan Backward using parley_messages_search_order_idx/);
    // Merge Append's own sort key is the merge, not a sort: no Sort node anywhere.
    expect(plans[0]).not.toMatch(/->\s+(Incremental )?Sort\s/);
    expect(plans[1]).toMatch(/parley_messages_search_scope_idx/);
    await store.close();
    await pool.end();
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
