/**
 * What two nodes do at once, on real servers: migrations run twice and concurrently (separate
 * processes on one SQLite file; separate pools on one PostgreSQL database), seq allocation
 * with clientMsgId repeats from several nodes into one conversation, and outbox claims from
 * several processes or nodes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrateToLatest, postgresStore, type SqlChatStore, sqliteStore } from '@parley/adapter-sql';
import { isChatError, type MessageDraft, type OutboxRecord } from '@parley/chat-core';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFor } from '../src/migrations/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const run = promisify(execFile);
/** Every version, in the order a new database applies them (the same names on both dialects). */
const ALL_MIGRATIONS = Object.keys(migrationsFor('sqlite')).sort();
const WORKER = fileURLToPath(new URL('./fixtures/sqlite-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Starts `n` workers, waits until every one is loaded, then lets them all go at once. */
async function together(filename: string, args: string[][]): Promise<string[]> {
  const runs = args.map((a) => worker(a));
  const dir = dirname(filename);
  const ready = () =>
    readdirSync(dir).filter((name) => name.startsWith(`${basename(filename)}.ready-`)).length;
  while (ready() < args.length) await sleep(10);
  writeFileSync(`${filename}.go`, '');
  return Promise.all(runs);
}

function worker(args: string[]): Promise<string> {
  return run(process.execPath, ['--conditions=parley-source', '--import', 'tsx', WORKER, ...args], {
    cwd: ROOT,
    timeout: 60_000,
  }).then((out) => out.stdout);
}

function draft(
  conversationId: string,
  senderId: string,
  id: string,
  clientMsgId: string | null,
): MessageDraft {
  return {
    id,
    conversationId,
    type: 'private',
    senderId,
    receiverId: null,
    groupId: null,
    content: id,
    contentType: 'text',
    mentions: [],
    mentionAll: false,
    replyTo: null,
    clientMsgId,
    createdAt: new Date(),
    recalledAt: null,
    recalledBy: null,
    editedAt: null,
    searchTokens: [],
  };
}

const conversation = (id: string) => ({
  id,
  type: 'private' as const,
  memberIds: ['a', 'b'],
  groupId: null,
  lastSeq: 0,
  lastVersion: 0,
  lastMessageAt: null,
  createdAt: new Date(),
});

/** `n` outbox entries, all due now. */
function outboxEntries(n: number): OutboxRecord[] {
  const at = new Date(Date.now() - 1000);
  return Array.from({ length: n }, (_, i) => ({
    id: `e${String(i).padStart(4, '0')}`,
    kind: 'webhook' as const,
    target: 'https://hooks.example.test/parley',
    payload: `{"n":${i}}`,
    attempts: 0,
    dueAt: new Date(at.getTime() + i),
    leaseUntil: null,
    lastError: null,
    failedAt: null,
    createdAt: at,
  }));
}

async function appliedMigrations(store: SqlChatStore): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from parley_migrations order by name`.execute(
    store.db,
  );
  return rows.map((row) => row.name);
}

describe('SQLite: migrations and seqs across processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrating twice applies each version once and keeps the data', async () => {
    const filename = join(dir, 'twice.db');
    const first = sqliteStore({ filename });
    expect(await migrateToLatest(first.db, 'sqlite')).toEqual(ALL_MIGRATIONS);
    await first.messages.ensureConversation(conversation('p:a:b'));
    await first.close();
    const second = sqliteStore({ filename });
    expect(await migrateToLatest(second.db, 'sqlite')).toEqual([]);
    expect(await appliedMigrations(second)).toEqual(ALL_MIGRATIONS);
    expect((await second.messages.getConversation('p:a:b'))?.id).toBe('p:a:b');
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(second.db);
    expect(journal.rows[0]?.journal_mode).toBe('wal');
    await second.close();
  });

  it('four processes migrating one new file at once: one applies, none fails', async () => {
    const filename = join(dir, 'race.db');
    const outputs = await together(
      filename,
      [1, 2, 3, 4].map(() => ['migrate', filename]),
    );
    const applied = outputs.map((out) => JSON.parse(out) as string[]);
    expect(applied.filter((names) => names.length > 0)).toEqual([ALL_MIGRATIONS]);
    const store = sqliteStore({ filename });
    expect(await appliedMigrations(store)).toEqual(ALL_MIGRATIONS);
    await store.close();
  });

  it('two processes appending to one conversation get every seq once, and one clientMsgId once', async () => {
    const filename = join(dir, 'seq.db');
    const setup = sqliteStore({ filename });
    await setup.messages.ensureConversation(conversation('p:a:b'));
    await setup.close();
    const outputs = await together(
      filename,
      ['x', 'y'].map((tag) => ['append', filename, 'p:a:b', '60', tag]),
    );
    const results = outputs.map((out) => JSON.parse(out) as { seqs: number[]; shared: number | null });
    const seqs = results.flatMap((r) => r.seqs);
    const shared = results.map((r) => r.shared).filter((seq) => seq !== null);
    expect(shared).toHaveLength(1);
    expect([...seqs, ...shared].sort((a, b) => a - b)).toEqual(Array.from({ length: 121 }, (_, i) => i + 1));
    const store = sqliteStore({ filename });
    expect((await store.messages.getConversation('p:a:b'))?.lastSeq).toBe(121);
    const { rows } = await sql<{ n: number }>`select count(*) as n from parley_messages`.execute(store.db);
    expect(Number(rows[0]?.n)).toBe(121);
    await store.close();
  });

  it('three processes claiming one outbox get every entry once, with one attempt each', async () => {
    const filename = join(dir, 'outbox.db');
    const setup = sqliteStore({ filename });
    await setup.outbox.enqueue(outboxEntries(150));
    await setup.close();
    const outputs = await together(
      filename,
      ['x', 'y', 'z'].map(() => ['claim', filename, '7']),
    );
    const claimed = outputs.flatMap((out) => JSON.parse(out) as string[]);
    expect(claimed.sort()).toEqual(outboxEntries(150).map((e) => e.id));
    const store = sqliteStore({ filename });
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from parley_outbox where attempts = 1`.execute(store.db);
    expect(Number(rows[0]?.n)).toBe(150);
    await store.close();
  });
});

describe('PostgreSQL: migrations and seqs across nodes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('race');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('four nodes migrating one new database at once: one applies, none fails; again is a no-op', async () => {
    const stores = [1, 2, 3, 4].map(() => postgresStore({ connectionString: database.url, poolSize: 2 }));
    try {
      const applied = await Promise.all(stores.map((store) => migrateToLatest(store.db, 'postgres')));
      expect(applied.filter((names) => names.length > 0)).toEqual([ALL_MIGRATIONS]);
      expect(await migrateToLatest(stores[0]!.db, 'postgres')).toEqual([]);
      expect(await appliedMigrations(stores[0]!)).toEqual(ALL_MIGRATIONS);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('a pool of one connection migrates (the lock and the run share it)', async () => {
    const fresh = await createTestDatabase('one');
    const store = postgresStore({ connectionString: fresh.url, poolSize: 1 });
    try {
      await store.ready();
      expect(await appliedMigrations(store)).toEqual(ALL_MIGRATIONS);
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it('three nodes appending to one conversation get 1…n with no gap; a clientMsgId repeated on every node is stored once', async () => {
    const stores = [1, 2, 3].map(() => postgresStore({ connectionString: database.url, poolSize: 4 }));
    try {
      await stores[0]!.messages.ensureConversation(conversation('p:c:d'));
      const sends = stores.flatMap((store, node) =>
        Array.from({ length: 40 }, (_, i) =>
          store.messages.appendMessage(draft('p:c:d', `s${node}`, `n${node}-${i}`, null)),
        ),
      );
      const repeats = stores.flatMap((store, node) =>
        [1, 2].map((i) => store.messages.appendMessage(draft('p:c:d', 'same', `r${node}-${i}`, 'client-1'))),
      );
      const results = await Promise.all([...sends, ...repeats]);
      const created = results.filter((r) => r.created);
      expect(created).toHaveLength(121);
      expect(created.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 121 }, (_, i) => i + 1),
      );
      const repeated = results.slice(sends.length);
      expect(new Set(repeated.map((r) => r.message.id)).size).toBe(1);
      expect((await stores[1]!.messages.getConversation('p:c:d'))?.lastSeq).toBe(121);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('concurrent adds from two nodes never pass maxMembers', async () => {
    const stores = [1, 2].map(() => postgresStore({ connectionString: database.url, poolSize: 4 }));
    try {
      const now = new Date();
      await stores[0]!.groups.create(
        {
          id: 'g-cap',
          name: 'Cap',
          avatarUrl: null,
          ownerId: 'owner',
          announcement: null,
          joinPolicy: 'open',
          muteAll: false,
          maxMembers: 10,
          memberCount: 0,
          inviteVersion: 0,
          createdAt: now,
          updatedAt: now,
          dissolvedAt: null,
        },
        [{ groupId: 'g-cap', userId: 'owner', role: 'owner', mutedUntil: null, joinedAt: now }],
      );
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          stores[i % 2]!.groups.addMembers(
            'g-cap',
            [{ groupId: 'g-cap', userId: `u${i}`, role: 'member', mutedUntil: null, joinedAt: now }],
            10,
          ),
        ),
      );
      const added = outcomes.filter((o) => o.status === 'fulfilled').length;
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(added).toBe(9);
      expect(refused.every((o) => isChatError(o.reason) && o.reason.code === 'GROUP_FULL')).toBe(true);
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      const counted = await pool.query(
        `select (select count(*) from parley_group_members where group_id = 'g-cap')::int as rows,
                (select member_count from parley_groups where id = 'g-cap') as count`,
      );
      await pool.end();
      expect(counted.rows[0]).toEqual({ rows: 10, count: 10 });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('three nodes claiming one outbox at once get every entry once, with one attempt each', async () => {
    const stores = [1, 2, 3].map(() => postgresStore({ connectionString: database.url, poolSize: 4 }));
    try {
      await stores[0]!.outbox.enqueue(outboxEntries(300));
      const now = new Date();
      const drain = async (store: SqlChatStore) => {
        const ids: string[] = [];
        for (;;) {
          const batch = await store.outbox.claimDue(now, 7, new Date(now.getTime() + 60_000));
          if (batch.length === 0) return ids;
          ids.push(...batch.map((entry) => entry.id));
        }
      };
      // Four claimers per node, twelve in all, each on its own connection at times.
      const claimed = (
        await Promise.all(stores.flatMap((store) => [1, 2, 3, 4].map(() => drain(store))))
      ).flat();
      expect(claimed.sort()).toEqual(outboxEntries(300).map((e) => e.id));
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from parley_outbox where attempts = 1`.execute(stores[1]!.db);
      expect(rows[0]?.n).toBe(300);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
