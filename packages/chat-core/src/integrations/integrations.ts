/**
 * Where committed events leave the process: after-commit hooks, webhook entries and push jobs.
 * The engine hands every event it emits to {@link Integrations.capture}; entries are written to the
 * store's outbox in batches, and {@link Integrations.settled} lets an operation wait until what it
 * produced is durable before it answers (so an acknowledged message always has its webhook and
 * push entries). With no hooks, webhooks or push configured, all of this costs nothing.
 */
import type { EngineContext } from '../context.js';
import type { OutboxRecord } from '../domain/records.js';
import type { ChatEventMap, ChatEventName } from '../events.js';
import type { PushSender } from '../ports/push-sender.js';
import { iso } from '../util/time.js';
import { createDeliveryWorker, type DeliveryHandler, type DeliveryWorker } from './delivery-worker.js';
import type { ChatHooks, CommittedEvent } from './hooks.js';
import { planPushes, pushDeliverer } from './push-notifications.js';
import { webhookDeliverer, webhookEntries, webhookEventFilter } from './webhooks.js';

/** What {@link Integrations.settled} answers with nothing pending: one promise, not one per call. */
const SETTLED: Promise<void> = Promise.resolve();

/** The engine's side of integrations. */
export interface Integrations {
  /**
   * Takes one committed event (called by the engine's emit). With `redeliver`, the event was
   * captured before (a client resending a message it got no answer for): its outbox entries are
   * written again — their ids are the same, so an entry that exists stays as it is — and the
   * after-commit hook is not called a second time.
   */
  capture<K extends ChatEventName>(
    name: K,
    payload: ChatEventMap[K],
    options?: { redeliver?: boolean },
  ): void;
  /**
   * Resolves once everything captured so far is in the outbox (at once when nothing is pending);
   * rejects when an outbox write failed for good, so the operation fails and its client resends.
   */
  settled(): Promise<void>;
  /** The outbox worker, or null when nothing is delivered from this engine. */
  readonly worker: DeliveryWorker | null;
  /** Stops the worker after the writes under way. */
  close(): Promise<void>;
}

/** What {@link createIntegrations} needs besides the context. */
export interface IntegrationOptions {
  hooks: ChatHooks;
  pushSender: PushSender | undefined;
  /** The HTTP client of webhooks. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Attempts to write a batch before giving up on it (with a logged error naming the ids). */
const WRITE_ATTEMPTS = 4;

export function createIntegrations(ctx: EngineContext, options: IntegrationOptions): Integrations {
  const { config, logger } = ctx;
  const wantsWebhook = webhookEventFilter(config);
  const afterCommit = options.hooks.afterCommit;
  const pushSender = options.pushSender;
  const pending = new Set<Promise<void>>();
  let batch: OutboxRecord[] = [];
  let batchWrite: Promise<void> | null = null;

  const handlers: { webhook?: DeliveryHandler; push?: DeliveryHandler } = {};
  if (config.webhookUrls.length > 0) handlers.webhook = webhookDeliverer(ctx, options.fetch);
  if (pushSender) handlers.push = pushDeliverer(ctx, pushSender);
  const worker =
    handlers.webhook || handlers.push
      ? createDeliveryWorker(ctx, handlers, {
          pollMs: config.deliveryPollMs,
          batchSize: 16,
          leaseMs: config.deliveryLeaseMs,
          maxAttempts: config.deliveryMaxAttempts,
          baseDelayMs: config.deliveryBaseDelayMs,
          maxDelayMs: config.deliveryMaxDelayMs,
        })
      : null;

  function track(promise: Promise<void>): void {
    pending.add(promise);
    // Both callbacks: a rejection is the business of whoever awaits settled(), never unhandled here.
    const forget = () => {
      pending.delete(promise);
    };
    promise.then(forget, forget);
  }

  /**
   * The event's id: a new message's is derived from the message id, so a redelivery after a
   * failed or interrupted write produces the same outbox entries; any other event gets a new id.
   */
  function eventIdOf(name: ChatEventName, payload: unknown): string {
    if (name === 'new_private_message' || name === 'new_group_message') {
      return `msg-${(payload as ChatEventMap['new_private_message']).id}`;
    }
    return ctx.ids.next();
  }

  async function write(entries: OutboxRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ctx.store.outbox.enqueue(entries);
        worker?.kick();
        return;
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) {
          logger.error(
            { err: error, ids: entries.map((e) => e.id) },
            'writing deliveries to the outbox failed; the operations that produced them fail',
          );
          // Those operations answer an error, so their clients resend (a message with its
          // clientMsgId), and the resend writes the entries again under the same ids.
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** attempt));
      }
    }
  }

  /** Adds entries to the next batch: one store write for everything captured in one turn. */
  function enqueue(entries: OutboxRecord[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    batch.push(...entries);
    batchWrite ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const items = batch;
      batch = [];
      batchWrite = null;
      return write(items);
    });
    return batchWrite;
  }

  return {
    capture(name, payload, captureOptions = {}) {
      const webhook = wantsWebhook(name);
      const push =
        pushSender !== undefined && (name === 'new_private_message' || name === 'new_group_message');
      const hook = captureOptions.redeliver === true ? undefined : afterCommit;
      if (!webhook && !push && hook === undefined) return;
      const now = ctx.clock.now();
      const event = {
        id: eventIdOf(name, payload),
        type: name,
        createdAt: iso(now),
        data: payload,
      } as CommittedEvent;
      if (hook !== undefined) {
        queueMicrotask(() => {
          Promise.resolve()
            .then(() => hook(event))
            .catch((error: unknown) => logger.error({ err: error, event: name }, 'afterCommit hook failed'));
        });
      }
      if (webhook) track(enqueue(webhookEntries(ctx, event, now)));
      if (push) {
        track(
          planPushes(ctx, payload as ChatEventMap['new_private_message'])
            .catch((error: unknown): OutboxRecord[] => {
              // Planning only reads (presence, members): a failure costs the pushes, not the message.
              logger.error({ err: error }, 'planning push notifications failed');
              return [];
            })
            .then(enqueue),
        );
      }
    },
    settled() {
      if (pending.size === 0) return SETTLED;
      return Promise.all([...pending]).then(() => undefined);
    },
    worker,
    async close() {
      await Promise.allSettled([...pending]);
      await worker?.close();
    },
  };
}
