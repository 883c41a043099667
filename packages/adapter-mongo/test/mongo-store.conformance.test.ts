/**
 * The conformance kit on MongoDB: every store-level test and engine scenario of
 * `@parley/chat-core/testing`, a fresh database per test on one shared connection, with raw
 * probes that read the documents straight from the collections. Skipped (with one line) when no
 * MongoDB server is available here; see find-mongod.ts.
 */
import { mongoStore } from '@parley/adapter-mongo';
import type { ChatStore } from '@parley/chat-core';
import {
  type RawProbes,
  runEngineScenarios,
  runStoreConformance,
  type StoreFixture,
} from '@parley/chat-core/testing';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe } from 'vitest';
import { plainDocument, toStoredId } from '../src/ids.js';
import { findMongod, locateMongod, type MongoServer, SKIP_MESSAGE } from './find-mongod.js';

const available = locateMongod() !== null;
if (!available) console.warn(SKIP_MESSAGE);

let server: MongoServer | null = null;
let base: mongoose.Connection | null = null;
let counter = 0;
/** The connection each store of a test runs on, so the probes read the same database. */
const connections = new WeakMap<ChatStore, mongoose.Connection>();

async function createStore(): Promise<StoreFixture> {
  if (!base) throw new Error('no MongoDB connection');
  const name = `parley_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const connection = base.useDb(name, { useCache: false });
  const store = mongoStore({ connection });
  connections.set(store, connection);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await connection.dropDatabase();
    },
  };
}

function probes(store: ChatStore): RawProbes {
  const connection = connections.get(store);
  if (!connection) throw new Error('not a store of this suite');
  const collection = (name: string) => connection.collection(`parley_${name}`);
  const read = async (name: string, filter: Record<string, unknown>) => {
    const doc = await collection(name).findOne(filter);
    return doc ? plainDocument(doc as Record<string, unknown>) : null;
  };
  return {
    user: (id) => read('users', { _id: toStoredId(id) }),
    message: (id) => read('messages', { _id: toStoredId(id) }),
    group: (id) => read('groups', { _id: toStoredId(id) }),
    member: (groupId, userId) =>
      read('group_members', { groupId: toStoredId(groupId), userId: toStoredId(userId) }),
  };
}

describe.skipIf(!available)('mongoStore on MongoDB', () => {
  beforeAll(async () => {
    server = await findMongod();
    if (!server) throw new Error(SKIP_MESSAGE);
    base = await mongoose.createConnection(server.uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  });

  afterAll(async () => {
    await base?.close();
    await server?.stop();
  });

  runStoreConformance({ createStore, probes });
  runEngineScenarios({ createStore, probes });
});
