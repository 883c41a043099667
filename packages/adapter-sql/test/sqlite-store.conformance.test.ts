/**
 * The conformance kit on SQLite: every store-level test and engine scenario of
 * `@parley/chat-core/testing`, a fresh in-memory database per test (migrated from scratch), with
 * raw probes that read the rows straight from the tables.
 */
import { sqliteStore } from '@parley/adapter-sql';
import { runEngineScenarios, runStoreConformance, type StoreFixture } from '@parley/chat-core/testing';
import { describe } from 'vitest';
import { sqlProbes } from './probes.js';

function createStore(): StoreFixture {
  const store = sqliteStore({ filename: ':memory:' });
  return { store, cleanup: () => store.close() };
}

describe('sqliteStore on SQLite', () => {
  runStoreConformance({ createStore, probes: sqlProbes });
  runEngineScenarios({ createStore, probes: sqlProbes });
});
