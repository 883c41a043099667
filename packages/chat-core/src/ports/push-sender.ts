/**
 * The push port: sends one Web Push notification to one browser subscription. The host's
 * implementation (`web-push`: VAPID signing, RFC 8291 encryption) lives outside the core so the
 * engine needs no crypto or HTTP client of its own; tests give a recording fake.
 */

/** A browser's subscription as the Push API gives it. */
export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** How the push service answered. */
export type PushOutcome =
  /** Accepted (201): the service will deliver it. */
  | { kind: 'sent' }
  /** 404 or 410: the subscription is gone for good; the engine drops it. */
  | { kind: 'gone'; status: number }
  /** Worth another try later (429, 5xx, network): `retryAfterMs` from `Retry-After` when given. */
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  /** Refused for good (e.g. 400 bad request, 413 too large): logged, not retried. */
  | { kind: 'rejected'; error: string };

/** Options of one notification. */
export interface PushOptions {
  /** How long the push service keeps it for an offline device, in seconds. */
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Replaces an undelivered notification with the same topic (≤ 32 URL-safe characters). */
  topic?: string;
}

/** Sends Web Push notifications. */
export interface PushSender {
  /** The VAPID public key (base64url) browsers pass to `pushManager.subscribe`. */
  readonly publicKey: string;
  /** Encrypts `payload` for the subscription and posts it; never throws for an HTTP answer. */
  send(target: PushTarget, payload: string, options: PushOptions): Promise<PushOutcome>;
}
