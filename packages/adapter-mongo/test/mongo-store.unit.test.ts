/**
 * What can be checked without a MongoDB server: the declared indexes, id mapping, users stored
 * before privacy settings, error mapping, the lazy connection and failing fast when the database
 * is down.
 */
import { MONGO_SCHEMAS, mongoStore, toStoreError } from '@parley/adapter-mongo';
import { ChatError, DEFAULT_PRIVACY, isChatError } from '@parley/chat-core';
import mongoose from 'mongoose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildModels } from '../src/connection.js';
import { fromStoredId, isObjectIdHex, plainDocument, toObjectId, toStoredId } from '../src/ids.js';
import { op } from '../src/paging.js';
import { toUserRecord } from '../src/users.js';
import { locateMongod } from './find-mongod.js';

// The driver's error classes, as Mongoose re-exports them (the driver is not a direct dependency).
const { MongoNetworkError, MongoServerError, MongoServerSelectionError } = mongoose.mongo;

type IndexOptions = {
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Record<string, unknown>;
};

function indexOf(collection: keyof typeof MONGO_SCHEMAS, keys: Record<string, 1 | -1>): IndexOptions {
  const found = MONGO_SCHEMAS[collection]
    .indexes()
    .find(([fields]) => JSON.stringify(fields) === JSON.stringify(keys));
  if (!found) throw new Error(`${collection} has no index on ${JSON.stringify(keys)}`);
  return found[1] as IndexOptions;
}

describe('index declarations', () => {
  it('users: unique email', () => {
    expect(indexOf('users', { email: 1 }).unique).toBe(true);
  });

  it('one_time_codes: unique (userId, purpose), unique codeId, sparse link hash, TTL on expiresAt', () => {
    expect(indexOf('one_time_codes', { userId: 1, purpose: 1 }).unique).toBe(true);
    expect(indexOf('one_time_codes', { codeId: 1 }).unique).toBe(true);
    expect(indexOf('one_time_codes', { linkTokenHash: 1 }).sparse).toBe(true);
    expect(indexOf('one_time_codes', { expiresAt: 1 }).expireAfterSeconds).toBe(0);
  });

  it('revoked_tokens: TTL on expiresAt', () => {
    expect(indexOf('revoked_tokens', { expiresAt: 1 }).expireAfterSeconds).toBe(0);
  });

  it('friend_requests: one pending request per pair, and listing indexes both ways', () => {
    const pair = indexOf('friend_requests', { fromId: 1, toId: 1 });
    expect(pair.unique).toBe(true);
    expect(pair.partialFilterExpression).toEqual({ status: 'pending' });
    indexOf('friend_requests', { toId: 1, status: 1, createdAt: -1, _id: -1 });
    indexOf('friend_requests', { fromId: 1, status: 1, createdAt: -1, _id: -1 });
  });

  it('friendships and blocks: unique pairs plus listing indexes', () => {
    expect(indexOf('friendships', { userId: 1, friendId: 1 }).unique).toBe(true);
    indexOf('friendships', { userId: 1, since: 1, friendId: 1 });
    expect(indexOf('blocks', { blockerId: 1, blockedId: 1 }).unique).toBe(true);
    indexOf('blocks', { blockedId: 1 });
    indexOf('blocks', { blockerId: 1, createdAt: -1, blockedId: -1 });
  });

  it('messages: unique seq per conversation (numbered only) and unique clientMsgId per sender', () => {
    const seq = indexOf('messages', { conversationId: 1, seq: 1 });
    expect(seq.unique).toBe(true);
    expect(seq.partialFilterExpression).toEqual({ seq: { $gt: 0 } });
    const client = indexOf('messages', { senderId: 1, clientMsgId: 1 });
    expect(client.unique).toBe(true);
    expect(client.partialFilterExpression).toEqual({ clientMsgId: { $type: 'string' } });
    indexOf('messages', { conversationId: 1, createdAt: 1, seq: 1 });
  });

  it('messages: changed by version, threads, pins (partial) and multikey search tokens', () => {
    indexOf('messages', { conversationId: 1, version: 1 });
    indexOf('messages', { replyTo: 1, seq: 1 });
    expect(indexOf('messages', { conversationId: 1, pinnedAt: -1, seq: -1 }).partialFilterExpression).toEqual(
      {
        pinnedAt: { $type: 'date' },
      },
    );
    indexOf('messages', { searchTokens: 1, createdAt: -1, _id: -1 });
    expect(MONGO_SCHEMAS.messages.path('searchTokens')).toBeDefined();
  });

  it('reactions: one per (message, user, emoji)', () => {
    expect(indexOf('reactions', { messageId: 1, userId: 1, emoji: 1 }).unique).toBe(true);
  });

  it('cursors: unique (userId, conversationId) and readers by readSeq', () => {
    expect(indexOf('cursors', { userId: 1, conversationId: 1 }).unique).toBe(true);
    indexOf('cursors', { conversationId: 1, readSeq: 1, userId: 1 });
  });

  it('group_members and join_requests', () => {
    expect(indexOf('group_members', { groupId: 1, userId: 1 }).unique).toBe(true);
    indexOf('group_members', { userId: 1 });
    indexOf('group_members', { groupId: 1, roleRank: 1, joinedAt: 1, userId: 1 });
    const pending = indexOf('join_requests', { groupId: 1, userId: 1 });
    expect(pending.unique).toBe(true);
    expect(pending.partialFilterExpression).toEqual({ status: 'pending' });
    indexOf('join_requests', { groupId: 1, status: 1, createdAt: 1, _id: 1 });
  });

  it('sessions: by user, most recently seen first, and TTL on expiresAt', () => {
    indexOf('sessions', { userId: 1, lastSeenAt: -1 });
    expect(indexOf('sessions', { expiresAt: 1 }).expireAfterSeconds).toBe(0);
  });

  it('push_subscriptions: unique endpoint, unique subscription id, listed by user', () => {
    expect(indexOf('push_subscriptions', { endpoint: 1 }).unique).toBe(true);
    expect(indexOf('push_subscriptions', { subscriptionId: 1 }).unique).toBe(true);
    indexOf('push_subscriptions', { userId: 1, createdAt: 1, _id: 1 });
  });

  it('outbox: the claim order over entries that have not failed', () => {
    expect(indexOf('outbox', { dueAt: 1, _id: 1 }).partialFilterExpression).toEqual({ failedAt: null });
  });

  it('every collection gets the prefix', () => {
    const connection = mongoose.createConnection();
    const models = buildModels(connection, 'acme_');
    expect(models.users.collection.collectionName).toBe('acme_users');
    expect(models.group_members.collection.collectionName).toBe('acme_group_members');
  });
});

describe('ids', () => {
  it('stores canonical ObjectId hex as ObjectId and reads it back as the same string', () => {
    const id = new mongoose.Types.ObjectId().toHexString();
    const stored = toStoredId(id);
    expect(stored).toBeInstanceOf(mongoose.Types.ObjectId);
    expect(fromStoredId(stored)).toBe(id);
    expect(toObjectId(id)?.toHexString()).toBe(id);
  });

  it('answers null for ids that are not canonical ObjectIds, which are stored as strings', () => {
    for (const id of [
      '',
      'nope',
      'p:a:b',
      'ABCDEFABCDEFABCDEFABCDEF',
      '0123456789ab',
      `${'a'.repeat(24)} `,
    ]) {
      expect(isObjectIdHex(id)).toBe(false);
      expect(toObjectId(id)).toBeNull();
      expect(toStoredId(id)).toBe(id);
    }
  });

  it('plain documents carry string ids and Dates', () => {
    const id = new mongoose.Types.ObjectId();
    const at = new Date('2026-01-01T00:00:00Z');
    expect(plainDocument({ _id: id, at, list: [id], nested: { by: id } })).toEqual({
      id: id.toHexString(),
      at,
      list: [id.toHexString()],
      nested: { by: id.toHexString() },
    });
  });

  it('a caller value that looks like an operator is matched literally; the adapter operators are kept', async () => {
    const { users } = buildModels(mongoose.createConnection(), 'parley_');
    const query = users.find({
      email: { $ne: null } as unknown as string,
      nicknameLower: op({ $regex: '^a' }),
    });
    await query.exec().catch(() => {});
    expect(JSON.parse(JSON.stringify(query.getFilter()))).toEqual({
      email: { $eq: { $ne: null } },
      nicknameLower: { $regex: '^a' },
    });
  });
});

describe('users stored before privacy settings', () => {
  const stored = {
    _id: toStoredId('65a1b2c3d4e5f6a7b8c9d0e1'),
    email: 'old@example.test',
    passwordHash: 'hash',
    nickname: 'Old',
    nicknameLower: 'old',
    avatarUrl: null,
    bio: null,
    emailVerified: true,
    tokenVersion: 1,
    inviteVersion: 0,
    lastSeenAt: null,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    updatedAt: new Date('2025-01-01T00:00:00Z'),
  };

  it('read back with DEFAULT_PRIVACY when the document has none', () => {
    expect(toUserRecord(stored).privacy).toEqual(DEFAULT_PRIVACY);
  });

  it('read each missing setting as its default and keep the stored ones', () => {
    expect(toUserRecord({ ...stored, privacy: { showOnline: false } }).privacy).toEqual({
      ...DEFAULT_PRIVACY,
      showOnline: false,
    });
  });
});

describe('error mapping', () => {
  it('maps a duplicate key to the conflict the caller names', () => {
    const duplicate = new MongoServerError({
      message: 'E11000 duplicate key',
      code: 11000,
      keyPattern: { email: 1 },
    });
    const mapped = toStoreError(duplicate, { duplicate: 'EMAIL_TAKEN', duplicateFields: ['email'] });
    expect(isChatError(mapped) && mapped.code).toBe('EMAIL_TAKEN');
    expect((mapped as ChatError).cause).toBe(duplicate);
  });

  it('leaves a duplicate on another key alone', () => {
    const duplicate = new MongoServerError({
      message: 'E11000 duplicate key',
      code: 11000,
      keyPattern: { _id: 1 },
    });
    expect(toStoreError(duplicate, { duplicate: 'EMAIL_TAKEN', duplicateFields: ['email'] })).toBe(duplicate);
  });

  it('maps network and server selection errors to STORE_UNAVAILABLE', () => {
    const errors = [
      new MongoNetworkError('connection reset'),
      new MongoServerSelectionError('no server', {} as never),
      new MongoServerError({ message: 'not primary', code: 10107 }),
    ];
    for (const error of errors) {
      const mapped = toStoreError(error);
      expect(isChatError(mapped) && mapped.code).toBe('STORE_UNAVAILABLE');
      expect((mapped as ChatError).cause).toBe(error);
    }
  });

  it('passes anything else through for the core to wrap', () => {
    const error = new Error('boom');
    expect(toStoreError(error)).toBe(error);
    const other = new MongoServerError({ message: 'bad', code: 2 });
    expect(toStoreError(other, { duplicate: 'EMAIL_TAKEN' })).toBe(other);
    const chat = new ChatError('GROUP_FULL');
    expect(toStoreError(chat)).toBe(chat);
  });
});

describe('connection lifecycle', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('opens nothing until used, and close() is safe twice without ever connecting', async () => {
    const spy = vi.spyOn(mongoose, 'createConnection');
    const store = mongoStore({ uri: 'mongodb://127.0.0.1:1/parley' });
    expect(store.name).toBe('mongo');
    expect(store.capabilities).toEqual({ transactions: false, persistent: true });
    expect(spy).not.toHaveBeenCalled();
    await store.close();
    await store.close();
    expect(spy).not.toHaveBeenCalled();
  });

  it('ping rejects quickly with STORE_UNAVAILABLE when nothing listens', async () => {
    const store = mongoStore({ uri: 'mongodb://127.0.0.1:1/parley?serverSelectionTimeoutMS=300' });
    const started = Date.now();
    await expect(store.ping()).rejects.toMatchObject({ name: 'ChatError', code: 'STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000);
    await store.close();
    await store.close();
  });

  it('a store call fails fast with STORE_UNAVAILABLE, and the host connection is never closed by the store', async () => {
    const store = mongoStore({ uri: 'mongodb://127.0.0.1:1/parley?serverSelectionTimeoutMS=300' });
    await expect(store.users.getById(new mongoose.Types.ObjectId().toHexString())).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await store.close();

    const host = mongoose.createConnection();
    const close = vi.spyOn(host, 'close');
    const hosted = mongoStore({ connection: host });
    await hosted.close();
    await hosted.close();
    expect(close).not.toHaveBeenCalled();
  });

  it('finds no mongod here quickly unless told where one is', () => {
    const started = Date.now();
    expect(locateMongod({ MONGODB_URI: 'mongodb://db:27017' })).toEqual({
      kind: 'uri',
      uri: 'mongodb://db:27017',
    });
    expect(locateMongod({ MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod' })).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
