/**
 * The service worker's handlers: a push shows the message's notification; a click on it focuses
 * an open Parley window and tells it to open the conversation, or opens a new window at the
 * notification's URL (`/?conversation=<id>`, which the app opens on load). The worker takes over
 * at once (skipWaiting, clients.claim) so a new version is live without closing every tab.
 *
 * The scope is passed in and typed here with the few members used: the app's tsconfig has DOM
 * types, not WebWorker ones, and the tests drive it with a fake scope.
 */
import { notificationFor, type ParleyNotificationOptions } from './notification.js';

/** What the worker posts to a window it focuses; the app listens on `navigator.serviceWorker`. */
export interface OpenConversationMessage {
  type: 'open-conversation';
  conversationId: string;
  url: string;
}

interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}

interface PushEventLike extends ExtendableEventLike {
  readonly data: { json(): unknown; text(): string } | null;
}

interface NotificationClickEventLike extends ExtendableEventLike {
  readonly notification: { readonly data: unknown; close(): void };
}

/** A window of the app, as `clients.matchAll({ type: 'window' })` answers it. */
export interface WindowClientLike {
  readonly url: string;
  readonly focused: boolean;
  readonly visibilityState: string;
  focus(): Promise<unknown>;
  postMessage(message: OpenConversationMessage): void;
}

/** The part of `ServiceWorkerGlobalScope` the worker uses. */
export interface ServiceWorkerScopeLike {
  readonly location: { readonly origin: string };
  readonly registration: {
    showNotification(title: string, options: ParleyNotificationOptions): Promise<void>;
  };
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationClickEventLike) => void): void;
}

function payloadOf(data: PushEventLike['data']): unknown {
  if (!data) return null;
  try {
    return data.json();
  } catch {
    return null;
  }
}

/** Focuses a window of the app and has it open the conversation, or opens one at `url`. */
export async function openFromNotification(scope: ServiceWorkerScopeLike, data: unknown): Promise<void> {
  const { url, conversationId } = (data ?? {}) as { url?: unknown; conversationId?: unknown };
  const origin = scope.location.origin;
  const target = typeof url === 'string' ? url : `${origin}/`;
  const windows = (await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(
    (client) => {
      try {
        return new URL(client.url).origin === origin;
      } catch {
        return false;
      }
    },
  );
  const best =
    windows.find((client) => client.focused) ??
    windows.find((client) => client.visibilityState === 'visible') ??
    windows[0];
  if (!best) {
    await scope.clients.openWindow(target);
    return;
  }
  if (typeof conversationId === 'string')
    best.postMessage({ type: 'open-conversation', conversationId, url: target });
  await best.focus();
}

/** Installs the worker's handlers on `scope` (`self` in the worker). */
export function installServiceWorker(scope: ServiceWorkerScopeLike): void {
  scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
  scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
  scope.addEventListener('push', (event) => {
    const { title, options } = notificationFor(payloadOf(event.data), scope.location.origin);
    event.waitUntil(scope.registration.showNotification(title, options));
  });
  scope.addEventListener('notificationclick', (event) => {
    event.notification.close();
    event.waitUntil(openFromNotification(scope, event.notification.data));
  });
}
