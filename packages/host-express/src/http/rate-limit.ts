/** Per-IP budgets on the account routes, counted by the engine's RateLimiter port. */
import { type RateDecision, type RateLimiter, type RateRule, rateLimitedError } from '@parley/chat-core';
import type { RequestHandler } from 'express';

/** Refuses with 429 RATE_LIMITED (and `Retry-After`) once `req.ip` spent `rule` on `scope`. */
export function perIpLimit(limiter: RateLimiter, rule: RateRule, scope: string): RequestHandler {
  return async (req, _res, next) => {
    let decision: RateDecision;
    try {
      decision = await limiter.consume(`host:ip:${scope}:${req.ip ?? 'unknown'}`, rule);
    } catch (error) {
      // A limiter outage (e.g. its Redis) must not lock everyone out of logging in: fail open, loudly.
      req.log?.warn({ err: error, scope }, 'rate limiter failed; allowing the request');
      next();
      return;
    }
    if (!decision.allowed) throw rateLimitedError(decision.retryAfterMs);
    next();
  };
}
