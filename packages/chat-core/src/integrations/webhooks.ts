/**
 * Webhooks: each committed event becomes one outbox entry per `WEBHOOK_URL`, with the exact body
 * `{ id, type, createdAt, data }` fixed at enqueue time (so every retry is byte-identical and a
 * receiver can drop repeats by `id`). Each attempt is signed afresh, so a receiver may refuse stale
 * timestamps without refusing retries.
 */
import type { ChatConfig } from '../config.js';
import type { EngineContext } from '../context.js';
import type { OutboxRecord } from '../domain/records.js';
import type { ChatEventName } from '../events.js';
import type { DeliveryHandler } from './delivery-worker.js';
import type { CommittedEvent } from './hooks.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';

/** Events sent when `webhookEvents` is not set: everything but the chatter of typing. */
export function webhookEventFilter(config: ChatConfig): (type: ChatEventName) => boolean {
  if (config.webhookUrls.length === 0) return () => false;
  const chosen = config.webhookEvents;
  if (chosen === undefined) return (type) => type !== 'typing_status_update';
  const set = new Set<string>(chosen);
  return (type) => set.has(type);
}

/** The outbox entries of one event: one per URL, sharing the event id. */
export function webhookEntries(ctx: EngineContext, event: CommittedEvent, now: Date): OutboxRecord[] {
  const body = JSON.stringify(event);
  return ctx.config.webhookUrls.map((url, index) => ({
    id: `wh:${event.id}:${index}`,
    kind: 'webhook',
    target: url,
    payload: body,
    attempts: 0,
    dueAt: now,
    leaseUntil: null,
    lastError: null,
    failedAt: null,
    createdAt: now,
  }));
}

/** `Retry-After` in ms (seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * POSTs one webhook entry. 2xx is delivered; 410 Gone gives up (the receiver says the hook is
 * gone); anything else — other 4xx included, since a receiver's bug is fixed sooner than an event
 * is found again — is retried with backoff up to the attempt limit.
 */
export function webhookDeliverer(
  ctx: EngineContext,
  fetchImpl: typeof fetch = globalThis.fetch,
): DeliveryHandler {
  const secret = ctx.config.webhookSecret ?? '';
  return async (entry) => {
    // Wall time, not the engine clock: receivers compare it with theirs.
    const timestamp = Math.floor(Date.now() / 1000);
    const eventId = entry.id.split(':')[1] ?? entry.id;
    let response: Response;
    try {
      response = await fetchImpl(entry.target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Parley-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, entry.payload, timestamp),
          'Parley-Event-Id': eventId,
          'Parley-Delivery-Attempt': String(entry.attempts),
        },
        body: entry.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(ctx.config.webhookTimeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      return { kind: 'retry', error: `POST failed: ${reason}` };
    }
    // Read the body so the connection returns to the pool; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { kind: 'done' };
    if (response.status === 410) return { kind: 'give-up', error: 'HTTP 410 Gone' };
    const wait = retryAfterMs(response.headers.get('retry-after'));
    return {
      kind: 'retry',
      error: `HTTP ${response.status}`,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  };
}
