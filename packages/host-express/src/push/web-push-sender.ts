/**
 * The host's {@link PushSender}: the `web-push` library signs with VAPID (RFC 8292), encrypts with
 * aes128gcm (RFC 8291) and posts to the browser's push service; this maps its answers onto what
 * the engine does next (drop the subscription, retry later, give up).
 */
import type { Agent } from 'node:https';
import type { PushOutcome, PushSender } from '@parley/chat-core';
import webpush from 'web-push';
import type { PushConfig } from '../env.js';

/** Options of {@link webPushSender}. */
export interface WebPushSenderOptions extends PushConfig {
  /** An HTTPS agent for the push services (tests pass one that trusts a loopback service). */
  agent?: Agent;
  /** Give up on one push service request after this long. @default 10000 */
  timeoutMs?: number;
}

/** `Retry-After` (seconds or an HTTP date) in ms, or undefined. */
function retryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Builds a push sender over `web-push` with the server's VAPID keys. */
export function webPushSender(options: WebPushSenderOptions): PushSender {
  const vapidDetails = {
    subject: options.subject,
    publicKey: options.publicKey,
    privateKey: options.privateKey,
  };
  // Fails fast on keys that do not fit together or a bad subject, at start-up rather than per push.
  webpush.getVapidHeaders(
    'https://push.example',
    options.subject,
    options.publicKey,
    options.privateKey,
    'aes128gcm',
  );

  return {
    publicKey: options.publicKey,
    async send(target, payload, pushOptions): Promise<PushOutcome> {
      try {
        await webpush.sendNotification(target, payload, {
          vapidDetails,
          TTL: pushOptions.ttlSeconds,
          urgency: pushOptions.urgency,
          ...(pushOptions.topic !== undefined ? { topic: pushOptions.topic } : {}),
          contentEncoding: 'aes128gcm',
          timeout: options.timeoutMs ?? 10_000,
          ...(options.agent ? { agent: options.agent } : {}),
        });
        return { kind: 'sent' };
      } catch (error) {
        if (error instanceof webpush.WebPushError) {
          const status = error.statusCode;
          if (status === 404 || status === 410) return { kind: 'gone', status };
          if (status === 429 || status >= 500) {
            const wait = retryAfterMs(error.headers?.['retry-after']);
            return {
              kind: 'retry',
              error: `HTTP ${status}`,
              ...(wait !== undefined ? { retryAfterMs: wait } : {}),
            };
          }
          return { kind: 'rejected', error: `HTTP ${status}: ${String(error.body ?? '').slice(0, 200)}` };
        }
        // No answer at all (refused, reset, timed out): the service may be back later.
        return { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
