/**
 * The rate-limit port and its implementation on rate-limiter-flexible, a well-kept library with
 * memory, Redis, PostgreSQL and other backends behind one API: Parley only chooses the rules.
 */
import {
  BurstyRateLimiter,
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/**
 * A budget: at most `points` hits per `windowMs`, plus, when `burst` is given, a second allowance
 * spent once the first is used up (rate-limiter-flexible's BurstyRateLimiter, its form of a token
 * bucket): `{ points: 20, windowMs: 1000, burst: { points: 200, windowMs: 30000 } }` serves a
 * flush of 200 at once and 20 a second after that.
 */
export interface RateRule {
  points: number;
  windowMs: number;
  burst?: { points: number; windowMs: number } | undefined;
}

/** The answer to one hit. */
export interface RateDecision {
  allowed: boolean;
  /** Hits left in the current window of the main budget. */
  remaining: number;
  /** When refused, milliseconds until a hit may be allowed again; 0 otherwise. */
  retryAfterMs: number;
}

/**
 * The rate-limit port, shared by the core (the per-user event budget, login per email and IP,
 * mails per address), the host (per-IP budgets of the account routes) and the transport. One
 * backed by Redis makes every budget one budget for a whole deployment.
 */
export interface RateLimiter {
  /**
   * Counts one hit against `key` under `rule` and says whether it is allowed. Rejects only when
   * the backend fails (callers decide whether to fail open); a refusal is an answer, not an error.
   */
  consume(key: string, rule: RateRule): Promise<RateDecision>;
  /** Forgets what was counted for `key` under every rule (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/** Options rate-limiter-flexible's limiters take, as Parley sets them. */
export interface FlexibleLimiterOptions {
  /** Keeps the keys of one rule apart from every other rule's in a shared backend. */
  keyPrefix: string;
  points: number;
  /** Window in seconds (fractions allowed). */
  duration: number;
}

/**
 * A {@link RateLimiter} over any rate-limiter-flexible backend: `make` builds one limiter per
 * distinct rule (e.g. `(o) => new RateLimiterRedis({ storeClient, ...o })`); limiters are cached,
 * so a rule costs one allocation for the life of the process.
 */
export function flexibleRateLimiter(
  make: (options: FlexibleLimiterOptions) => RateLimiterAbstract,
  name = 'parley',
): RateLimiter {
  interface Entry {
    limiter: Pick<RateLimiterAbstract, 'consume'>;
    parts: RateLimiterAbstract[];
  }
  const byRule = new Map<string, Entry>();
  // Callers pass the same rule object on every hit (one per budget), so the rule's text key is
  // built once per rule object rather than once per consumed event.
  const byRuleObject = new WeakMap<RateRule, Entry>();

  const entryOf = (rule: RateRule): Entry => {
    const known = byRuleObject.get(rule);
    if (known !== undefined) return known;
    const id = `${rule.points}/${rule.windowMs}${rule.burst ? `+${rule.burst.points}/${rule.burst.windowMs}` : ''}`;
    let entry = byRule.get(id);
    if (entry === undefined) {
      const main = make({ keyPrefix: `${name}:${id}`, points: rule.points, duration: rule.windowMs / 1000 });
      if (rule.burst === undefined) entry = { limiter: main, parts: [main] };
      else {
        const burst = make({
          keyPrefix: `${name}:${id}:burst`,
          points: rule.burst.points,
          duration: rule.burst.windowMs / 1000,
        });
        entry = { limiter: new BurstyRateLimiter(main, burst), parts: [main, burst] };
      }
      byRule.set(id, entry);
    }
    byRuleObject.set(rule, entry);
    return entry;
  };

  return {
    async consume(key, rule) {
      try {
        const res = await entryOf(rule).limiter.consume(key);
        return { allowed: true, remaining: Math.max(0, res.remainingPoints), retryAfterMs: 0 };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, Math.ceil(rejection.msBeforeNext)) };
      }
    },
    async reset(key) {
      await Promise.all([...byRule.values()].flatMap((entry) => entry.parts.map((part) => part.delete(key))));
    },
  };
}

/** An in-process {@link RateLimiter} on rate-limiter-flexible's memory backend: right for one node. */
export function memoryRateLimiter(): RateLimiter {
  return flexibleRateLimiter((options) => new RateLimiterMemory(options));
}
