/**
 * The store's lifecycle and error mapping on real servers: lazy open, close() twice, a host-owned
 * pool or database left open, ping, STORE_UNAVAILABLE for a database that cannot be reached, the
 * contract's conflict for a unique key, and the keys that make the atomic steps the database's.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUniqueViolation, postgresStore, sqliteStore, toStoreError } from '@parley/adapter-sql';
import { isChatError, type UserRecord } from '@parley/chat-core';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
