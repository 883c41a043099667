/**
 * The machine's PostgreSQL and Redis as the cluster tests use them: a statement on the admin
 * database (to create and drop a database of the run's own) and the removal of a run's Redis keys.
 * Both fail with a message saying how to start the service when it is down.
 */
import type { Redis } from 'ioredis';
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
