/**
 * The conformance kit on PostgreSQL: every store-level test and engine scenario of
 * `@parley/chat-core/testing`, on a fresh database for this file (migrated once by the first
 * store; every later store finds the schema current), emptied between tests, with raw probes that
 * read the rows straight from the tables.
 */
import { postgresStore, SQL_TABLES } from '@parley/adapter-sql';
import { runEngineScenarios, runStoreConformance, type StoreFixture } from '@parley/chat-core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { sqlProbes } from './probes.js';

let database: TestDatabase | null = null;
let pool: pg.Pool | null = null;

async function createStore(): Promise<StoreFixture> {
  if (!pool) throw new Error('no PostgreSQL pool');
  const store = postgresStore({ pool });
  await store.ready();
  // DELETE, not TRUNCATE: on tables this small it is ~5 ms against ~300 ms.
  await pool.query(`begin; ${SQL_TABLES.map((table) => `delete from ${table};`).join(' ')} commit;`);
  return { store, cleanup: () => store.close() };
}

describe('postgresStore on PostgreSQL', () => {
  beforeAll(async () => {
    database = await createTestDatabase('kit', { fastCommits: true });
    pool = new pg.Pool({ connectionString: database.url, max: 10 });
    pool.on('error', () => {});
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  runStoreConformance({ createStore, probes: sqlProbes });
  runEngineScenarios({ createStore, probes: sqlProbes });
});
