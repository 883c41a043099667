/**
 * The test Redis: `TEST_REDIS_URL` (default redis://127.0.0.1:6379, which `.ci/run` starts). Each
 * test file writes under its own key prefix and deletes every key under it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A connected client, or an error saying how to start Redis. */
export async function testClient(): Promise<Redis> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis is not reachable at TEST_REDIS_URL (${TEST_REDIS_URL}): start it with ` +
        `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
      { cause: error },
    );
  }
  return client;
}

/** A key prefix of this file's own. */
export function testPrefix(name: string): string {
  return `parley-test:${name}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) count += await client.del(...keys);
  } while (cursor !== '0');
  return count;
}

/** A client to a port where nothing listens: Redis down, from the first command on. */
export function unreachableClient(): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: 1,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 60_000,
  });
  client.on('error', () => {});
  return client;
}

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
