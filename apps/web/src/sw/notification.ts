/**
 * What the service worker shows for a push: the server's `PushNotificationPayload` as a
 * notification's title and options. Pure, so it is tested in Node; no DOM types, so it type-checks
 * in the service worker and in the tests alike.
 */
import type { PushNotificationPayload } from '@parley/client';

/** The options given to `registration.showNotification` (the part Parley uses). */
export interface ParleyNotificationOptions {
  body: string;
  /** The conversation: a newer message replaces the older notification of the same chat. */
  tag: string;
  /** Alert again when a notification of the same chat is replaced. */
  renotify: boolean;
  /** When the message was sent (ms since the epoch), when the payload says. */
  timestamp?: number;
  /** What a click opens. */
  data: { url: string; conversationId: string | null };
}

/** A notification to show. */
export interface ParleyNotification {
  title: string;
  options: ParleyNotificationOptions;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Where a click goes: the payload's URL when it is on the app's own origin, else the app's own
 * page for the conversation (a PUBLIC_URL that differs from where the app is served must not
 * send the click elsewhere).
 */
export function clickUrl(url: unknown, conversationId: string | null, origin: string): string {
  if (isString(url)) {
    try {
      if (new URL(url).origin === origin) return url;
    } catch {
      // Not a URL: fall through to the app's own.
    }
  }
  return conversationId === null
    ? `${origin}/`
    : `${origin}/?conversation=${encodeURIComponent(conversationId)}`;
}

/**
 * The notification for a push's JSON. A push must always show something (browsers require it of
 * `userVisibleOnly` subscriptions), so anything unreadable becomes a plain "New message".
 */
export function notificationFor(payload: unknown, origin: string): ParleyNotification {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Partial<
    Record<keyof PushNotificationPayload, unknown>
  >;
  if (p.type !== 'message' || !isString(p.conversationId)) {
    return {
      title: 'Parley',
      options: {
        body: 'New message',
        tag: 'parley',
        renotify: true,
        data: { url: clickUrl(p.url, null, origin), conversationId: null },
      },
    };
  }
  const sentAt = isString(p.sentAt) ? Date.parse(p.sentAt) : Number.NaN;
  return {
    title: isString(p.title) ? p.title : isString(p.senderName) ? p.senderName : 'Parley',
    options: {
      body: isString(p.body) ? p.body : 'New message',
      tag: p.conversationId,
      renotify: true,
      ...(Number.isFinite(sentAt) && { timestamp: sentAt }),
      data: { url: clickUrl(p.url, p.conversationId, origin), conversationId: p.conversationId },
    },
  };
}
