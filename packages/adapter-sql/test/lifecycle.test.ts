/**
 * The store's lifecycle and error mapping on real servers: lazy open, close() twice, a host-owned
 * pool or database left open, ping, STORE_UNAVAILABLE for a database that cannot be reached, the
 * contract's conflict for a unique key, and the keys that make the atomic steps the database's;
 * and upgrades: users stored before privacy settings read back with the defaults, and a version
 * that lands after a later-numbered one was applied still runs.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isUniqueViolation,
  postgresStore,
  type SqlChatStore,
  sqliteStore,
  toStoreError,
} from '@parley/adapter-sql';
import { DEFAULT_PRIVACY, isChatError, type UserRecord } from '@parley/chat-core';
import Database from 'better-sqlite3';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../src/codec.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationsFor } from '../src/migrations/index.js';
import { conversation } from './fixtures/records.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const codeOf = (error: unknown) => (isChatError(error) ? error.code : String(error));

function user(id: string, email: string): UserRecord {
  const at = new Date('2025-01-01T00:00:00Z');
  return {
    id,
    email,
    passwordHash: 'hash',
    nickname: `Nick ${id}`,
    avatarUrl: null,
    bio: null,
    emailVerified: false,
    tokenVersion: 0,
    inviteVersion: 0,
    lastSeenAt: null,
    privacy: { ...DEFAULT_PRIVACY },
    createdAt: at,
    updatedAt: at,
  };
}

describe('sqliteStore lifecycle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-life-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens nothing until the first call, and close() is safe twice (also never opened)', async () => {
    const never = sqliteStore({ filename: join(dir, 'never', 'x.db') });
    await never.close();
    await never.close();
    const store = sqliteStore({ filename: join(dir, 'a.db') });
    await store.ping();
    await store.close();
    await store.close();
    await expect(store.users.getById('x')).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');
  });

  it('a host-owned database is migrated, used and left open', async () => {
    const database = new Database(join(dir, 'host.db'));
    const store = sqliteStore({ database });
    await store.users.create(user('u1', 'a@example.test'));
    await store.close();
    expect(database.open).toBe(true);
    expect(database.prepare('select email from parley_users').get()).toEqual({ email: 'a@example.test' });
    database.close();
  });

  it('a duplicate email is EMAIL_TAKEN; a duplicate id is not (and neither changes anything)', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    await store.users.create(user('u1', 'a@example.test'));
    await expect(store.users.create(user('u2', 'a@example.test'))).rejects.toSatisfy(
      (e) => codeOf(e) === 'EMAIL_TAKEN',
    );
    const duplicateId = await store.users.create(user('u1', 'b@example.test')).catch((e: unknown) => e);
    expect(isChatError(duplicateId)).toBe(false);
    expect(isUniqueViolation(duplicateId)).toBe(true);
    expect(await store.users.getByEmail('b@example.test')).toBeNull();
    await store.close();
  });

  it('a file that cannot be opened is STORE_UNAVAILABLE, and a later call tries again', async () => {
    const store = sqliteStore({ filename: join(dir, 'missing-dir', 'x.db') });
    await expect(store.ping()).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');
    await expect(store.users.getById('x')).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');
    mkdirSync(join(dir, 'missing-dir'));
    expect(await store.users.getById('x')).toBeNull();
    await store.close();
  });

  it('the database itself refuses a second message at a seq and a repeated clientMsgId', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    await store.ready();
    const insert = (id: string, seq: number, clientMsgId: string | null) =>
      sql`insert into parley_messages (id, conversation_id, type, sender_id, content, content_type, mentions,
            mention_all, client_msg_id, seq, created_at)
          values (${id}, 'c', 'private', 's', '', 'text', '[]', 0, ${clientMsgId}, ${seq}, 0)`.execute(
        store.db,
      );
    await insert('m1', 1, 'k');
    await expect(insert('m2', 1, null)).rejects.toSatisfy(isUniqueViolation);
    await expect(insert('m3', 2, 'k')).rejects.toSatisfy(isUniqueViolation);
    await insert('m4', 2, null);
    await insert('m5', 3, null);
    await store.close();
  });

  it('the outbox claim reads the partial (due_at, id) index', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    await store.ready();
    const { rows } = await sql<{ detail: string }>`explain query plan select id from parley_outbox
      where failed_at is null and due_at <= 0 and (lease_until is null or lease_until <= 0)
      order by due_at, id limit 10`.execute(store.db);
    expect(rows.map((r) => r.detail).join('\n')).toMatch(/parley_outbox_due_idx/);
    await store.close();
  });
});

describe('postgresStore lifecycle', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('life', { fastCommits: true });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('a server that cannot be reached is STORE_UNAVAILABLE (ping and calls), not a crash', async () => {
    const store = postgresStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMs: 1000,
    });
    await expect(store.ping()).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');
    await expect(store.users.getById('x')).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');
    await store.close();
    await store.close();
  });

  it('a database that does not exist is STORE_UNAVAILABLE', async () => {
    const url = new URL(database.url);
    url.pathname = '/parley_no_such_database';
    const store = postgresStore({ connectionString: url.toString() });
    await expect(store.ping()).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');
    await store.close();
  });

  it('its own pool is ended by close(); a host-owned pool is left open', async () => {
    const own = postgresStore({ connectionString: database.url, poolSize: 2 });
    await own.ping();
    await own.close();
    await own.close();
    await expect(own.ping()).rejects.toSatisfy((e) => codeOf(e) === 'STORE_UNAVAILABLE');

    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const hosted = postgresStore({ pool });
    await hosted.users.create(user('p1', 'p@example.test'));
    await hosted.close();
    const { rows } = await pool.query('select email from parley_users where id = $1', ['p1']);
    expect(rows).toEqual([{ email: 'p@example.test' }]);
    await pool.end();
  });

  it('a duplicate email is EMAIL_TAKEN; the error mapping reads pg errors', async () => {
    const store = postgresStore({ connectionString: database.url, poolSize: 2 });
    await store.users.create(user('e1', 'e@example.test'));
    await expect(store.users.create(user('e2', 'e@example.test'))).rejects.toSatisfy(
      (e) => codeOf(e) === 'EMAIL_TAKEN',
    );
    const raw = await sql`insert into parley_users select * from parley_users where id = 'e1'`
      .execute(store.db)
      .catch((e: unknown) => e);
    expect(isUniqueViolation(raw)).toBe(true);
    expect(codeOf(toStoreError(raw, { duplicate: 'EMAIL_TAKEN', duplicateColumns: ['email'] }))).not.toBe(
      'EMAIL_TAKEN',
    );
    await store.close();
  });

  it('every query the store makes has an index: the plan of a history page uses it', async () => {
    const store = postgresStore({ connectionString: database.url, poolSize: 1 });
    await store.ready();
    await sql`set enable_seqscan = off`.execute(store.db);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select * from parley_messages
      where conversation_id = 'c' and seq < 100 order by seq desc limit 21`.execute(store.db);
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/parley_messages_history_key/);
    await store.close();
  });

  it('the outbox claim, a user’s sessions and subscriptions are served by their indexes', async () => {
    const store = postgresStore({ connectionString: database.url, poolSize: 1 });
    await store.ready();
    await sql`set enable_seqscan = off`.execute(store.db);
    const plan = async (query: ReturnType<typeof sql>) => {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(store.db);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const now = new Date();
    expect(
      await plan(sql`select id from parley_outbox where failed_at is null and due_at <= ${now}
        and (lease_until is null or lease_until <= ${now}) order by due_at, id limit 10 for update skip locked`),
    ).toMatch(/parley_outbox_due_idx/);
    expect(
      await plan(sql`select * from parley_sessions where user_id = 'u' and expires_at > ${now}
        order by last_seen_at desc, id limit 100`),
    ).toMatch(/parley_sessions_user_idx/);
    expect(
      await plan(sql`select * from parley_push_subscriptions where user_id = 'u' order by created_at, id`),
    ).toMatch(/parley_push_subscriptions_user_idx/);
    await store.close();
  });
});

/** Applies only the versions `keep` selects, as a deployment of that day had them. */
async function migrateOnly(
  store: SqlChatStore,
  dialect: DialectName,
  keep: (name: string) => boolean,
): Promise<void> {
  const migrations: Record<string, Migration> = Object.fromEntries(
    Object.entries(migrationsFor(dialect)).filter(([name]) => keep(name)),
  );
  const migrator = new Migrator({
    // biome-ignore lint/suspicious/noExplicitAny: the schema of the day.
    db: store.db as unknown as Kysely<any>,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

async function appliedMigrations(store: SqlChatStore): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from parley_migrations order by name`.execute(
    store.db,
  );
  return rows.map((row) => row.name);
}

/** A user as the versions before 0004 stored it: no privacy columns. */
async function seedUserBeforePrivacy(store: SqlChatStore, dialect: DialectName): Promise<void> {
  const at = dialect === 'postgres' ? new Date('2025-01-01T00:00:00Z') : Date.parse('2025-01-01T00:00:00Z');
  const no = dialect === 'postgres' ? false : 0;
  await sql`insert into parley_users (id, email, password_hash, nickname, nickname_lower, avatar_url, bio,
      email_verified, token_version, invite_version, last_seen_at, created_at, updated_at)
    values ('old', 'old@example.test', 'hash', 'Old Timer', 'old timer', null, 'from before', ${no}, 2, 0, null,
      ${at}, ${at})`.execute(store.db);
}

async function oldUserReadsDefaults(store: SqlChatStore, dialect: DialectName): Promise<void> {
  await migrateOnly(store, dialect, (name) => name < '0004_integrations');
  await seedUserBeforePrivacy(store, dialect);
  await store.ready();
  expect(await appliedMigrations(store)).toContain('0004_integrations');
  const stored = await store.users.getById('old');
  expect(stored).toMatchObject({ email: 'old@example.test', bio: 'from before', tokenVersion: 2 });
  expect(stored?.privacy).toEqual(DEFAULT_PRIVACY);
  expect((await store.users.getByEmail('old@example.test'))?.privacy).toEqual(DEFAULT_PRIVACY);
  // And the settings are theirs to change from there.
  const privacy = { showLastSeen: false, showOnline: true, sendReadReceipts: false, pushPreviews: true };
  expect((await store.users.update('old', { privacy }))?.privacy).toEqual(privacy);
  expect((await store.users.getByIds(['old']))[0]?.privacy).toEqual(privacy);
}

/** 0001 and 0004 applied, 0002 missing (as a version merged after a later-numbered one would be). */
async function lateVersionStillRuns(store: SqlChatStore, dialect: DialectName): Promise<void> {
  await migrateOnly(store, dialect, (name) => name === '0001_initial' || name === '0004_integrations');
  await store.ready();
  expect(await appliedMigrations(store)).toEqual(Object.keys(migrationsFor(dialect)).sort());
  // 0002's columns are there: a message gets its version and can be reacted to.
  await store.messages.ensureConversation(conversation('p:a:b'));
  expect((await store.messages.getConversation('p:a:b'))?.lastVersion).toBe(0);
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from parley_reactions`.execute(
    store.db,
  );
  expect(Number(rows[0]?.n)).toBe(0);
}

describe('upgrades on SQLite', () => {
  it('a user stored before privacy settings reads back with DEFAULT_PRIVACY after 0004', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    await oldUserReadsDefaults(store, 'sqlite');
    await store.close();
  });

  it('a version that lands after a later-numbered one was applied still runs', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    await lateVersionStillRuns(store, 'sqlite');
    await store.close();
  });
});

describe('upgrades on PostgreSQL', () => {
  it('a user stored before privacy settings reads back with DEFAULT_PRIVACY after 0004', async () => {
    const fresh = await createTestDatabase('privacy', { fastCommits: true });
    const store = postgresStore({ connectionString: fresh.url, poolSize: 2 });
    try {
      await oldUserReadsDefaults(store, 'postgres');
    } finally {
      await store.close();
      await fresh.drop();
    }
  });

  it('a version that lands after a later-numbered one was applied still runs', async () => {
    const fresh = await createTestDatabase('late', { fastCommits: true });
    const store = postgresStore({ connectionString: fresh.url, poolSize: 2 });
    try {
      await lateVersionStillRuns(store, 'postgres');
    } finally {
      await store.close();
      await fresh.drop();
    }
  });
});
