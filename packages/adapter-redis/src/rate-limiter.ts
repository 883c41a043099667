/**
 * `redisRateLimiter`: the RateLimiter port on rate-limiter-flexible's RateLimiterRedis, so a
 * budget (a user's events, logins per email, account routes per IP) is one budget per deployment.
 */
import { flexibleRateLimiter, type RateLimiter } from '@parley/chat-core';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

/** Options of {@link redisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** An ioredis client the host owns: used, never closed. */
  client: Redis;
  /** Prefix of every key this limiter writes. @default 'parley:rl' */
  keyPrefix?: string;
  /**
   * While Redis cannot be reached, count in this process's memory instead (rate-limiter-flexible's
   * insurance limiter), so chat goes on with a per-node budget rather than failing or going
   * unlimited; with false, `consume` rejects and callers fail open. @default true
   */
  insurance?: boolean;
}

/**
 * A rate limiter shared by every node on one Redis:
 *
 * ```ts
 * const rateLimiter = redisRateLimiter({ client: new Redis(process.env.REDIS_URL!) });
 * const engine = createChatEngine({ store, rateLimiter, config });
 * ```
 *
 * A command is never queued while the client is not connected (`rejectIfRedisNotReady`): the
 * memory fallback answers at once.
 */
export function redisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { client } = options;
  const insurance = options.insurance ?? true;
  return flexibleRateLimiter(
    (limiter) =>
      new RateLimiterRedis({
        storeClient: client,
        rejectIfRedisNotReady: true,
        ...limiter,
        ...(insurance && { insuranceLimiter: new RateLimiterMemory(limiter) }),
      }),
    options.keyPrefix ?? 'parley:rl',
  );
}
