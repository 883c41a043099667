/**
 * Web Push in a browser: subscribe this browser with the server's VAPID key and register the
 * subscription for the signed-in user, or end it. Nothing here touches a global at import time,
 * so the module is as safe in Node as the rest of the SDK; the registration is the caller's.
 *
 * ```ts
 * const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
 * if ((await Notification.requestPermission()) === 'granted')
 *   await subscribeToPush(client, { serviceWorkerRegistration: registration });
 * ```
 */
import { isParleyError, ParleyError } from '../errors/parley-error.js';
import type { ParleyRest } from '../rest/index.js';
import type { PushSubscriptionInput } from '../rest/users.js';

/** What the push helpers need: a client (`createParleyClient`) or the REST helpers alone. */
export type PushClient = { rest: Pick<ParleyRest, 'push' | 'users'> } | Pick<ParleyRest, 'push' | 'users'>;

/** The part of a `PushSubscription` the helpers use; a browser's fits. */
export interface PushSubscriptionLike {
  readonly endpoint: string;
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  toJSON(): { endpoint?: string; expirationTime?: number | null; keys?: Record<string, string> };
  unsubscribe(): Promise<boolean>;
}

/** The part of a `ServiceWorkerRegistration` the helpers use; a browser's fits. */
export interface PushRegistrationLike {
  readonly pushManager: {
    getSubscription(): Promise<PushSubscriptionLike | null>;
    subscribe(options: {
      userVisibleOnly: boolean;
      applicationServerKey: Uint8Array<ArrayBuffer>;
    }): Promise<PushSubscriptionLike>;
  };
}

/** Options of {@link subscribeToPush}. */
export interface SubscribeToPushOptions {
  /**
   * The registration of the app's service worker, the one that shows the notifications in its
   * `push` handler: what `navigator.serviceWorker.register('/sw.js')` or `.ready` answers.
   */
  serviceWorkerRegistration: PushRegistrationLike;
}

/** Options of {@link unsubscribeFromPush}. */
export interface UnsubscribeFromPushOptions extends SubscribeToPushOptions {
  /**
   * The id {@link subscribeToPush} answered. Without it the id is asked of the server by sending
   * the browser's subscription again (the server keeps one id per browser and account).
   * @default asked of the server
   */
  subscriptionId?: string | undefined;
}

/** What {@link subscribeToPush} answers. */
export interface PushSubscriptionResult {
  /** The server's id of this browser's subscription: `DELETE /api/users/me/push-subscriptions/:id`. */
  id: string;
  /** The push service URL of this browser. */
  endpoint: string;
}

const restOf = (client: PushClient): Pick<ParleyRest, 'push' | 'users'> =>
  'rest' in client ? client.rest : client;

/**
 * Whether this environment has the Web Push pieces: a service worker container, `PushManager`
 * and `Notification`. False in Node, in old browsers and in iOS Safari outside an installed app.
 */
export function pushSupported(scope: object = globalThis): boolean {
  const g = scope as { navigator?: object; PushManager?: unknown; Notification?: unknown };
  return (
    typeof g.navigator === 'object' &&
    g.navigator !== null &&
    'serviceWorker' in g.navigator &&
    typeof g.PushManager === 'function' &&
    typeof g.Notification === 'function'
  );
}

/** The bytes of a base64url string (a VAPID public key); VALIDATION_FAILED when it is not one. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(base64url))
    throw new ParleyError({ code: 'VALIDATION_FAILED', message: 'the VAPID public key is not base64url' });
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameBytes(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

/** The subscription as the server takes it; VALIDATION_FAILED when the browser gave no keys. */
function subscriptionInput(subscription: PushSubscriptionLike): PushSubscriptionInput {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!p256dh || !auth)
    throw new ParleyError({ code: 'VALIDATION_FAILED', message: 'the push subscription has no keys' });
  return {
    endpoint: json.endpoint ?? subscription.endpoint,
    ...(json.expirationTime !== undefined && { expirationTime: json.expirationTime }),
    keys: { p256dh, auth },
  };
}

/** A failure of the Push API as a ParleyError: denied, unsupported, or the push service unreachable. */
function browserFailure(cause: unknown): ParleyError {
  const name = typeof cause === 'object' && cause !== null ? (cause as { name?: unknown }).name : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (name === 'NotAllowedError') return new ParleyError({ code: 'PERMISSION_DENIED', message, cause });
  // Chrome in a private window (and a test browser's fresh profile) refuses with AbortError
  // "Registration failed - permission denied": push is not available there at all.
  if (name === 'NotSupportedError' || (name === 'AbortError' && /permission denied/i.test(message)))
    return new ParleyError({ code: 'UNSUPPORTED', message, cause });
  // AbortError: "push service error / not available"; the browser could not reach its push service.
  return new ParleyError({ code: 'NETWORK', message: `push subscription failed: ${message}`, cause });
}

/**
 * Subscribes this browser to the server's pushes for the signed-in user: asks the server for its
 * VAPID key (`GET /api/push/config`), subscribes with `pushManager.subscribe({ userVisibleOnly:
 * true, applicationServerKey })` (reusing a subscription made with the same key; one made with
 * another key is ended first) and posts it. Calling it again is harmless and keeps the id.
 *
 * The browser asks the user for notification permission when it was not given; call it from a
 * click. Throws a ParleyError: `UNSUPPORTED` when the server sends no pushes or the browser has no
 * push here (Chrome's private windows), `PERMISSION_DENIED` when the user blocked notifications,
 * `NETWORK` when the browser cannot reach its push service, or the REST failure.
 */
export async function subscribeToPush(
  client: PushClient,
  options: SubscribeToPushOptions,
): Promise<PushSubscriptionResult> {
  const rest = restOf(client);
  const config = await rest.push.config();
  if (!config.enabled || !config.publicKey)
    throw new ParleyError({ code: 'UNSUPPORTED', message: 'this server sends no push notifications' });
  const key = applicationServerKey(config.publicKey);
  const manager = options.serviceWorkerRegistration.pushManager;
  let subscription: PushSubscriptionLike | null;
  try {
    subscription = await manager.getSubscription();
    if (subscription && !sameBytes(subscription.options?.applicationServerKey, key)) {
      // Made with an older key: a browser refuses a second key until the first is given up.
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  } catch (cause) {
    throw browserFailure(cause);
  }
  const { id } = await rest.users.addPushSubscription(subscriptionInput(subscription));
  return { id, endpoint: subscription.endpoint };
}

/**
 * Ends this browser's push subscription: removed on the server (an id it no longer knows is fine)
 * and given up in the browser. The browser's part is done even when the server call fails (a
 * dead token after a sign-out elsewhere): the error is thrown after it, and the server drops the
 * endpoint by itself once the push service calls it gone. Answers whether there was one.
 */
export async function unsubscribeFromPush(
  client: PushClient,
  options: UnsubscribeFromPushOptions,
): Promise<boolean> {
  const rest = restOf(client);
  const subscription = await options.serviceWorkerRegistration.pushManager.getSubscription();
  let failure: unknown = null;
  try {
    const id =
      options.subscriptionId ??
      (subscription ? (await rest.users.addPushSubscription(subscriptionInput(subscription))).id : undefined);
    if (id !== undefined) await rest.users.removePushSubscription(id);
  } catch (error) {
    if (!(isParleyError(error) && error.code === 'NOT_FOUND')) failure = error;
  }
  if (subscription) await subscription.unsubscribe().catch(() => false);
  if (failure) throw failure;
  return subscription !== null;
}
