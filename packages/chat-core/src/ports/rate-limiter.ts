/** A fixed-window budget: at most `points` hits per `windowMs`. */
export interface RateRule {
  points: number;
  windowMs: number;
}

/** The answer to one hit. */
export interface RateDecision {
  allowed: boolean;
  /** Hits left in the current window. */
  remaining: number;
  /** When refused, milliseconds until the window resets; 0 otherwise. */
  retryAfterMs: number;
}

/**
 * The rate-limit port, shared by the core (login and register per email), the host (per IP) and
 * the transport (socket events per connection). A Redis-backed one can serve several nodes.
 */
export interface RateLimiter {
  /** Counts one hit against `key` under `rule` and says whether it is allowed. */
  consume(key: string, rule: RateRule): Promise<RateDecision>;
  /** Forgets `key` (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/** An in-process fixed-window limiter; expired windows are swept as they are met. */
export function memoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let lastSweep = now();
  const sweep = (t: number) => {
    if (t - lastSweep < 60_000) return;
    lastSweep = t;
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  };
  return {
    async consume(key, rule) {
      const t = now();
      sweep(t);
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + rule.windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count > rule.points) return { allowed: false, remaining: 0, retryAfterMs: w.resetAt - t };
      return { allowed: true, remaining: rule.points - w.count, retryAfterMs: 0 };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
