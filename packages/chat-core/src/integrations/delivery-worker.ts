/**
 * The outbox worker: claims due deliveries from the store, runs the handler of their kind and
 * records the outcome, with exponential backoff and jitter between attempts. Every node runs one;
 * the store's atomic claim with a lease makes each entry go out from one node at a time, and an
 * entry whose node died is claimed again once its lease runs out (receivers dedupe by id).
 */
import type { EngineContext } from '../context.js';
import type { OutboxKind, OutboxRecord } from '../domain/records.js';

/** What a handler made of one delivery attempt. */
export type DeliveryResult =
  | { kind: 'done' }
  /** Try again later; `payload` replaces the entry's (e.g. only what is left to send). */
  | { kind: 'retry'; error: string; retryAfterMs?: number; payload?: string }
  /** Never worth another try: the entry is kept as failed, for inspection. */
  | { kind: 'give-up'; error: string };

/** Delivers one entry of a kind; a throw counts as a retry. */
export type DeliveryHandler = (entry: OutboxRecord) => Promise<DeliveryResult>;

/** Tuning of the worker (the engine's config provides it). */
export interface DeliveryWorkerOptions {
  /** How often to look for due entries when nothing woke the worker. */
  pollMs: number;
  /** Entries claimed and delivered together. */
  batchSize: number;
  /** How long a claim holds: longer than the slowest delivery (handlers time out before). */
  leaseMs: number;
  /** Attempts before an entry is given up. */
  maxAttempts: number;
  /** First retry delay; doubled each attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A running worker. */
export interface DeliveryWorker {
  /** Looks for due entries now (after a local enqueue) instead of at the next poll. */
  kick(): void;
  /** One claim-and-deliver round; answers how many entries it handled (tests, shutdown). */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the deliveries under way. */
  close(): Promise<void>;
}

/**
 * The delay before attempt `attempts + 1`: exponential with "equal jitter" (half fixed, half
 * random), so retries of many entries after one outage spread out instead of arriving together.
 */
export function retryDelayMs(
  attempts: number,
  options: Pick<DeliveryWorkerOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Starts a worker over the engine's outbox with one handler per kind. */
export function createDeliveryWorker(
  ctx: EngineContext,
  handlers: Partial<Record<OutboxKind, DeliveryHandler>>,
  options: DeliveryWorkerOptions,
): DeliveryWorker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function settle(entry: OutboxRecord, result: DeliveryResult): Promise<void> {
    const { outbox } = ctx.store;
    if (result.kind === 'done') {
      await outbox.complete(entry.id);
      return;
    }
    const now = ctx.clock.now();
    if (result.kind === 'give-up' || entry.attempts >= options.maxAttempts) {
      ctx.logger.warn(
        { id: entry.id, kind: entry.kind, attempts: entry.attempts, error: result.error },
        'delivery given up',
      );
      await outbox.fail(entry.id, now, result.error);
      return;
    }
    const delay = Math.max(result.retryAfterMs ?? 0, retryDelayMs(entry.attempts, options));
    await outbox.reschedule(entry.id, {
      dueAt: new Date(now.getTime() + delay),
      lastError: result.error,
      ...(result.payload !== undefined ? { payload: result.payload } : {}),
    });
  }

  async function deliver(entry: OutboxRecord): Promise<void> {
    const handler = handlers[entry.kind];
    let result: DeliveryResult;
    if (handler === undefined) {
      // Another node may be configured for it (e.g. push keys set there): leave it to that node.
      result = { kind: 'retry', error: `this node has no ${entry.kind} delivery configured` };
    } else {
      try {
        result = await handler(entry);
      } catch (error) {
        result = { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
    }
    try {
      await settle(entry, result);
    } catch (error) {
      // The lease runs out and the entry is claimed again: at worst a repeat, never a loss.
      ctx.logger.error({ err: error, id: entry.id }, 'recording a delivery outcome failed');
    }
  }

  async function runOnce(): Promise<number> {
    const now = ctx.clock.now();
    const claimed = await ctx.store.outbox.claimDue(
      now,
      options.batchSize,
      new Date(now.getTime() + options.leaseMs),
    );
    await Promise.all(claimed.map(deliver));
    return claimed.length;
  }

  function schedule(ms: number): void {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref?.();
  }

  function tick(): void {
    timer = undefined;
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        // A full batch suggests more are due: keep going until a round comes back short.
        while (!closed && (await runOnce()) === options.batchSize) {}
      } catch (error) {
        ctx.logger.error({ err: error }, 'delivery round failed');
      }
    })().finally(() => {
      running = null;
      if (again) {
        again = false;
        schedule(0);
      } else {
        schedule(options.pollMs);
      }
    });
  }

  schedule(options.pollMs);

  return {
    kick() {
      if (running) again = true;
      else schedule(0);
    },
    runOnce,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
