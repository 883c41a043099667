/** Exponential backoff with jitter, for reconnects and retries. */

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The first wait. @default 500 */
  minMs?: number;
  /** The longest wait. @default 10000 */
  maxMs?: number;
  /** Each attempt waits this much longer than the one before. @default 2 */
  factor?: number;
  /** Share of the wait drawn at random, 0 to 1, so clients do not come back at once. @default 0.5 */
  jitter?: number;
}

/** The wait before attempt `attempt` (1, 2 …): min·factor^(attempt-1), capped, ± jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const min = options.minMs ?? 500;
  const max = options.maxMs ?? 10_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
  const base = Math.min(max, min * factor ** Math.max(0, attempt - 1));
  const spread = base * jitter;
  return Math.max(0, Math.round(base - spread + random() * spread * 2));
}
