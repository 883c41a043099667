/**
 * `@parley/adapter-redis`: Parley's presence and rate-limit ports on Redis (ioredis), for running
 * any number of nodes as one deployment.
 *
 * ```ts
 * const client = new Redis(process.env.REDIS_URL!);
 * const engine = createChatEngine({
 *   store,
 *   presence: redisPresence({ client }),
 *   rateLimiter: redisRateLimiter({ client }),
 *   config,
 * });
 * ```
 */
export { type RedisPresenceOptions, type RedisPresenceStore, redisPresence } from './presence.js';
export { type RedisRateLimiterOptions, redisRateLimiter } from './rate-limiter.js';
