/**
 * The machine's PostgreSQL and Redis as the cluster tests use them: a statement on the admin
 * database (to create and drop a database of the run's own) and the removal of a run's Redis keys.
 * Both fail with a message saying how to start the service when it is down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs one statement (on the admin database unless told otherwise); answers the first row's `n`. */
export async function admin(statement: string, connectionString = TEST_DATABASE_URL): Promise<number> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
  await client.connect().catch((error: unknown) => {
    throw new Error(`PostgreSQL is not reachable at TEST_DATABASE_URL (${TEST_DATABASE_URL}): start it`, {
      cause: error,
    });
  });
  try {
    const result = await client.query<{ n?: string }>(statement);
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Deletes every key under `prefix` (SCAN, not KEYS: a shared Redis is never blocked). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** What a cluster test runs on: a fresh database, a Redis key prefix and a DATA_DIR of its own. */
export interface ClusterResources {
  databaseUrl: string;
  keyPrefix: string;
  dataDir: string;
  /** Drops the database, deletes the keys (failing when some are left) and the directory. */
  cleanup(): Promise<void>;
}

/**
 * Creates the resources of one cluster test run named `name` (e.g. `cluster`): a database
 * `parley_test_<name>_<run>` on TEST_DATABASE_URL, the key prefix `parley-test:<name>:<run>:` on
 * TEST_REDIS_URL and a temporary DATA_DIR. Fails with how to start Redis when it is down.
 */
export async function clusterResources(name: string, run: string): Promise<ClusterResources> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((error: unknown) => {
    throw new Error(
      `Redis is not reachable at TEST_REDIS_URL (${TEST_REDIS_URL}): start it with redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
      { cause: error },
    );
  });
  const keyPrefix = `parley-test:${name}:${run}:`;
  const database = `parley_test_${name.replace(/\W/g, '_')}_${run}`;
  await admin(`create database "${database}"`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  const dataDir = mkdtempSync(join(tmpdir(), `parley-${name}-`));
  return {
    databaseUrl: url.toString(),
    keyPrefix,
    dataDir,
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      await admin(`drop database if exists "${database}" with (force)`);
      await deleteKeys(redis, keyPrefix);
      const left = await redis.keys(`${keyPrefix}*`);
      redis.disconnect();
      if (left.length > 0) throw new Error(`Redis keys left behind: ${left.join(', ')}`);
    },
  };
}
