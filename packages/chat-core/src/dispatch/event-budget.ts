/**
 * Each user's event budget: one budget for all their connections and their REST sends, on the
 * engine's RateLimiter port (so a Redis limiter makes it one budget for a whole deployment).
 */
import type { ChatConfig } from '../config.js';
import { rateLimitedError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { RateLimiter, RateRule } from '../ports/rate-limiter.js';

/** Spends a user's events. */
export interface EventBudget {
  /**
   * Spends one event of the user's budget. RATE_LIMITED with `details.retryAfterMs` when it is
   * spent; a failing limiter backend lets the event through (logged): chat must not stop with it.
   */
  spend(userId: string): Promise<void>;
}

/** The rate rule of {@link ChatConfig.eventRateLimit}. */
export function eventRule(config: Pick<ChatConfig, 'eventRateLimit'>): RateRule {
  const { perSecond, burst, burstWindowMs } = config.eventRateLimit;
  return {
    points: perSecond,
    windowMs: 1000,
    burst: burst > 0 ? { points: burst, windowMs: burstWindowMs } : undefined,
  };
}

/** The budget of every user of one engine. */
export function createEventBudget(limiter: RateLimiter, config: ChatConfig, logger: Logger): EventBudget {
  const rule = eventRule(config);
  return {
    async spend(userId) {
      let decision: Awaited<ReturnType<RateLimiter['consume']>>;
      try {
        decision = await limiter.consume(`events:${userId}`, rule);
      } catch (error) {
        logger.warn({ err: error, userId }, 'event rate limiter failed; allowing the event');
        return;
      }
      if (!decision.allowed) throw rateLimitedError(decision.retryAfterMs, 'Too many events, slow down');
    },
  };
}
