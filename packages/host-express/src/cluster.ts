/**
 * Cluster mode (`REDIS_URL`): one Redis client (ioredis) carries the Socket.IO Redis Streams
 * adapter, presence and rate limits, so any number of nodes on a shared store serve one deployment
 * (docs/SCALING.md). Loaded with a dynamic import, so a single node never loads a Redis driver.
 *
 * Redis down must not take a node down: commands fail at once instead of queueing
 * (`enableOfflineQueue: false`), so local delivery, the store and the REST routes go on; the rate
 * limiter counts in memory meanwhile; presence writes fail (logged) and are replayed by the
 * presence heartbeat; the client reconnects by itself and everything resumes without a restart.
 */
import { once } from 'node:events';
import type { RedisPresenceStore } from '@parley/adapter-redis';
import type { RateLimiter } from '@parley/chat-core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServerOptions } from 'socket.io';
import type { HostConfig } from './env.js';

/** What cluster mode gives the host. */
export interface Cluster {
  /** The Socket.IO adapter factory, for `new Server(…, { adapter })`. */
  adapter: NonNullable<ServerOptions['adapter']>;
  presence: RedisPresenceStore;
  rateLimiter: RateLimiter;
  /** Whether the Redis client is connected now, for `/health`. */
  redisStatus(): 'up' | 'down';
  /** Stops the presence heartbeat and quits the client. Safe to call twice. */
  close(): Promise<void>;
}

/** How long start-up waits for Redis before serving without it (and reconnecting meanwhile). */
const CONNECT_WAIT_MS = 5000;

/**
 * The adapter reads its stream from `$` (only what comes after the read) until it has read one
 * entry, and a blocking read that times out starts again from `$`: a broadcast landing between two
 * reads of a quiet stream would be missed. An entry without a namespace, which every reader skips
 * but takes as its offset, is added this often, so each node reads from a real offset soon after
 * it starts and never misses an entry after that.
 */
const STREAM_MARK_MS = 1000;

/**
 * The Redis Streams adapter uses its client in three ways that would reject into nothing while
 * Redis is down, which Node turns into a crash: a PUBLISH whose promise it drops, and the server
 * count a broadcast with acks asks for without a catch. And it duplicates the client for its
 * blocking reads and subscriptions, which must wait for Redis rather than fail in a loop.
 */
function hardenForAdapter(client: Redis): Redis {
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
  Object.assign(client, {
    publish: (...args: unknown[]) => {
      const sent = publish(...args);
      sent.catch(() => {});
      return sent;
    },
  });
  const duplicate = client.duplicate.bind(client);
  Object.assign(client, {
    duplicate: (override?: Parameters<Redis['duplicate']>[0]) =>
      duplicate({ ...override, enableOfflineQueue: true, maxRetriesPerRequest: null }),
  });
  return client;
}

/** The cluster parts the configuration asks for, or null on a single node (no `REDIS_URL`). */
export async function clusterFor(config: HostConfig, logger: Logger): Promise<Cluster | null> {
  if (!config.redisUrl) return null;
  const [{ Redis }, { createAdapter }, { redisPresence, redisRateLimiter }] = await Promise.all([
    import('ioredis'),
    import('@socket.io/redis-streams-adapter'),
    import('@parley/adapter-redis'),
  ]);
  const prefix = config.redisKeyPrefix ?? 'parley:';
  const client = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: 'parley',
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  let up = false;
  let downSince: number | null = Date.now();
  client.on('ready', () => {
    up = true;
    if (downSince !== null) {
      logger.info({ downMs: Date.now() - downSince }, 'Redis is up: cluster mode');
      downSince = null;
    }
  });
  client.on('close', () => {
    up = false;
    if (downSince === null) {
      downSince = Date.now();
      logger.warn('Redis is down: serving this node’s sockets alone until it is back');
    }
  });
  // Every failed reconnect emits one; the close above has said what matters.
  client.on('error', (error: Error) => logger.debug({ err: error }, 'Redis client error'));

  const ready = once(client, 'ready').then(() => true);
  const waited = await Promise.race([
    ready,
    new Promise<false>((resolve) => setTimeout(() => resolve(false), CONNECT_WAIT_MS).unref()),
  ]);
  ready.catch(() => {});
  if (!waited) logger.warn(`Redis did not answer within ${CONNECT_WAIT_MS / 1000} s: starting without it`);

  const streamName = `${prefix}socket.io`;
  const mark = setInterval(() => {
    if (up) client.xadd(streamName, 'MAXLEN', '~', 10_000, '*', 'parley', 'mark').catch(() => {});
  }, STREAM_MARK_MS);
  mark.unref();

  const factory = createAdapter(hardenForAdapter(client), {
    streamName,
    channelPrefix: `${prefix}socket.io`,
    sessionKeyPrefix: `${prefix}sio:session:`,
  });
  // Socket.IO calls the adapter with `new`: a plain function returning the adapter serves.
  const adapter = function parleyRedisAdapter(nsp: unknown) {
    const created = factory(nsp);
    const count = created.serverCount.bind(created);
    let last = 1;
    created.serverCount = () =>
      count().then(
        (n) => (last = n),
        () => last,
      );
    return created;
  } as unknown as NonNullable<ServerOptions['adapter']>;

  const presence = redisPresence({ client, keyPrefix: `${prefix}presence:`, logger });
  const rateLimiter = redisRateLimiter({ client, keyPrefix: `${prefix}rl` });
  logger.info(
    { keyPrefix: prefix },
    'cluster mode: Socket.IO, presence and rate limits on Redis (REDIS_URL)',
  );

  let closing: Promise<void> | null = null;
  return {
    adapter,
    presence,
    rateLimiter,
    redisStatus: () => (up ? 'up' : 'down'),
    close() {
      closing ??= (async () => {
        clearInterval(mark);
        await presence.close();
        await client.quit().catch(() => client.disconnect());
      })();
      return closing;
    },
  };
}
