/**
 * `redisPresence`: the PresenceStore port on Redis, so every node of a deployment agrees on who is
 * online. Each node keeps its connections under a heartbeat key with a TTL: a node that dies
 * without closing (SIGKILL, a lost machine) stops counting once that key expires.
 */
import { randomBytes } from 'node:crypto';
import { type Logger, type PresenceStore, silentLogger } from '@parley/chat-core';
import type { Redis } from 'ioredis';
import { CONNECT, DISCONNECT, HEARTBEAT, ONLINE } from './presence-scripts.js';
import { runScript } from './scripts.js';

/** Options of {@link redisPresence}. */
export interface RedisPresenceOptions {
  /** An ioredis client the host owns: used, never closed. */
  client: Redis;
  /**
   * Prefix of every key this store writes, so several deployments (or test runs) share a server.
   * @default 'parley:presence:'
   */
  keyPrefix?: string;
  /** How often this node renews its heartbeat key. @default 5000 */
  heartbeatMs?: number;
  /**
   * How long the heartbeat key lives: a node that stops renewing it (it died) stops counting its
   * connections after at most this long. Must be above `heartbeatMs`. @default 15000
   */
  ttlMs?: number;
  /** Heartbeat failures and degraded reads are logged here. @default silentLogger */
  logger?: Logger;
  /** This node's id in Redis. @default a random one per store */
  nodeId?: string;
}

/** A {@link PresenceStore} on Redis, with what a host needs to run it. */
export interface RedisPresenceStore extends PresenceStore {
  /** This node's id, as its connections are recorded. */
  readonly nodeId: string;
  /**
   * Stops the heartbeat and deletes this node's heartbeat key, so its connections stop counting at
   * once. Leaves the client open. Safe to call twice.
   */
  close(): Promise<void>;
}

/** How long a user's last-seen time is kept in Redis; the store's `lastSeenAt` covers the rest. */
const SEEN_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Presence across nodes on one Redis server:
 *
 * ```ts
 * const client = new Redis(process.env.REDIS_URL!);
 * const presence = redisPresence({ client });
 * const engine = createChatEngine({ store, presence, config });
 * ```
 *
 * Writes (`connect`, `disconnect`) reject while Redis is unreachable, and this node replays what
 * Redis missed on the first heartbeat that reaches it again: its live connections are
 * re-registered when its heartbeat key was gone (expired or a Redis restart), and failed
 * disconnects are retried. Reads of many users (`onlineAmong`, `lastSeen`) answer "nobody" while
 * Redis is down, logged, so a friend list still loads.
 */
export function redisPresence(options: RedisPresenceOptions): RedisPresenceStore {
  const { client } = options;
  const prefix = options.keyPrefix ?? 'parley:presence:';
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const ttlMs = options.ttlMs ?? 15_000;
  if (!(ttlMs > heartbeatMs)) throw new RangeError('redisPresence: ttlMs must be above heartbeatMs');
  const logger = options.logger ?? silentLogger;
  const nodeId = options.nodeId ?? randomBytes(8).toString('hex');
  const nodeKey = `${prefix}node:${nodeId}`;
  const userKey = (userId: string) => `${prefix}user:${userId}`;
  const seenKey = (userId: string) => `${prefix}seen:${userId}`;

  /** This node's own connections, to re-register them after Redis lost them. */
  const local = new Map<string, Set<string>>();
  /** Disconnects Redis did not hear about, retried by the heartbeat. */
  const missedDisconnects = new Map<string, { userId: string; at: Date }>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let beating: Promise<void> | null = null;

  const disconnectInRedis = async (userId: string, connectionId: string, at: Date) =>
    (await runScript(
      client,
      DISCONNECT,
      [userKey(userId), seenKey(userId)],
      [prefix, connectionId, at.getTime(), SEEN_TTL_SECONDS],
    )) === 1;

  const heartbeat = async () => {
    const existed = (await runScript(client, HEARTBEAT, [nodeKey], [ttlMs])) === 1;
    if (!existed && local.size > 0) {
      const batch = client.multi();
      for (const [userId, connections] of local)
        for (const connectionId of connections) batch.hset(userKey(userId), connectionId, nodeId);
      await batch.exec();
      logger.info({ nodeId, users: local.size }, 'presence: re-registered this node’s connections in Redis');
    }
    for (const [connectionId, { userId, at }] of missedDisconnects) {
      await disconnectInRedis(userId, connectionId, at);
      missedDisconnects.delete(connectionId);
    }
  };

  const beat = () => {
    beating ??= heartbeat()
      .catch((error: unknown) => logger.warn({ err: error, nodeId }, 'presence heartbeat failed'))
      .finally(() => {
        beating = null;
      });
    return beating;
  };

  const start = () => {
    if (timer !== undefined || closed) return;
    timer = setInterval(() => void beat(), heartbeatMs);
    timer.unref?.();
  };

  const degraded = (error: unknown, what: string) =>
    logger.warn({ err: error, nodeId }, `presence: ${what} failed, answering as if nobody were online`);

  return {
    nodeId,

    async connect(userId, connectionId) {
      start();
      let set = local.get(userId);
      if (!set) {
        set = new Set();
        local.set(userId, set);
      }
      set.add(connectionId);
      missedDisconnects.delete(connectionId);
      const became = await runScript(
        client,
        CONNECT,
        [userKey(userId)],
        [prefix, connectionId, nodeId, ttlMs],
      );
      return { becameOnline: became === 1 };
    },

    async disconnect(userId, connectionId, at) {
      const set = local.get(userId);
      if (set?.delete(connectionId) && set.size === 0) local.delete(userId);
      try {
        return { becameOffline: await disconnectInRedis(userId, connectionId, at) };
      } catch (error) {
        missedDisconnects.set(connectionId, { userId, at });
        throw error;
      }
    },

    async isOnline(userId) {
      const [online] = (await runScript(client, ONLINE, [userKey(userId)], [prefix])) as number[];
      return online === 1;
    },

    async onlineAmong(userIds) {
      const online = new Set<string>();
      if (userIds.length === 0) return online;
      try {
        const flags = (await runScript(client, ONLINE, userIds.map(userKey), [prefix])) as number[];
        userIds.forEach((id, i) => {
          if (flags[i] === 1) online.add(id);
        });
      } catch (error) {
        degraded(error, 'onlineAmong');
      }
      return online;
    },

    async lastSeen(userIds) {
      const result = new Map<string, Date>();
      if (userIds.length === 0) return result;
      try {
        const values = await client.mget(userIds.map(seenKey));
        userIds.forEach((id, i) => {
          const value = values[i];
          if (value !== null && value !== undefined) result.set(id, new Date(Number(value)));
        });
      } catch (error) {
        degraded(error, 'lastSeen');
      }
      return result;
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await beating;
      if (timer === undefined) return;
      await client.del(nodeKey).catch((error: unknown) => {
        logger.warn({ err: error, nodeId }, 'presence: could not remove the heartbeat key');
      });
    },
  };
}
