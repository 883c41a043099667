/** Web Push subscriptions of users' browsers: `engine.push`. */
import { z } from 'zod';
import type { EngineContext } from '../context.js';
import { ChatError } from '../errors.js';
import type { PushSender } from '../ports/push-sender.js';
import { idSchema, parseInput } from '../util/validate.js';

/** At most this many browsers per user; a new one beyond it replaces the oldest. */
export const MAX_PUSH_SUBSCRIPTIONS = 20;

/** A base64url string that decodes to exactly `bytes` bytes. */
const base64urlBytes = (bytes: number, what: string) =>
  z
    .string({ error: 'required' })
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `must be ${what} (${bytes} bytes)`);

/** `POST /api/users/me/push-subscriptions`: what `PushSubscription.toJSON()` gives in a browser. */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string({ error: 'required' })
    .max(2048, 'too long')
    .refine((value) => {
      try {
        const url = new URL(value);
        if (url.username || url.password) return false;
        // The server POSTs to this URL; push services are https (RFC 8030 requires TLS).
        return url.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an https URL'),
  // Browsers add expirationTime (usually null); it is accepted and not needed.
  expirationTime: z.number().nullable().optional(),
  keys: z.object(
    {
      p256dh: base64urlBytes(65, 'an uncompressed P-256 public key').refine(
        (value) => Buffer.from(value, 'base64url')[0] === 0x04,
        'must be an uncompressed P-256 public key',
      ),
      auth: base64urlBytes(16, 'the 16-byte auth secret'),
    },
    { error: 'required: { p256dh, auth }' },
  ),
});

/** Whether push is on, and the key browsers subscribe with. */
export interface PushConfigView {
  enabled: boolean;
  /** The VAPID public key for `pushManager.subscribe({ applicationServerKey })`; null when off. */
  publicKey: string | null;
}

/** `engine.push`. */
export interface PushService {
  /** Whether this server sends pushes, and its VAPID public key. */
  config(): PushConfigView;
  /**
   * Stores the browser's subscription for the user (the same endpoint again replaces it, keeping
   * its id); answers its id. With `sessionId` (the subscribing token's `jti`), ending that session
   * deletes the subscription. VALIDATION_FAILED for a malformed subscription.
   */
  subscribe(userId: string, input: unknown, sessionId?: string): Promise<{ id: string }>;
  /** Deletes one of the user's subscriptions; NOT_FOUND when it is not theirs. */
  unsubscribe(userId: string, subscriptionId: string): Promise<void>;
}

export function createPushService(ctx: EngineContext, sender: PushSender | undefined): PushService {
  const schema = pushSubscriptionSchema;
  return {
    config() {
      return { enabled: sender !== undefined, publicKey: sender?.publicKey ?? null };
    },

    async subscribe(userId, input, sessionId) {
      const data = parseInput(schema, input);
      const stored = await ctx.store.pushSubscriptions.upsert({
        id: ctx.ids.next(),
        userId,
        endpoint: data.endpoint,
        p256dh: data.keys.p256dh,
        auth: data.keys.auth,
        sessionId: sessionId ?? null,
        createdAt: ctx.clock.now(),
      });
      const all = await ctx.store.pushSubscriptions.listByUser(userId);
      // Browsers that were reinstalled or cleared leave subscriptions behind: keep the newest.
      for (const old of all.slice(0, Math.max(0, all.length - MAX_PUSH_SUBSCRIPTIONS))) {
        await ctx.store.pushSubscriptions.delete(userId, old.id);
      }
      return { id: stored.id };
    },

    async unsubscribe(userId, subscriptionId) {
      const { id } = parseInput(z.object({ id: idSchema }), { id: subscriptionId });
      if (!(await ctx.store.pushSubscriptions.delete(userId, id))) {
        throw new ChatError('NOT_FOUND', 'No such push subscription');
      }
    },
  };
}
