/**
 * Web Push on this browser: the service worker (`/sw.js`, scope `/`), the subscription made with
 * the SDK's subscribeToPush, and whose it is. A browser has one subscription per origin, so the
 * account it was registered for is remembered: after someone else signs in here it counts as off
 * for them, and signing out ends it, so a shared browser does not keep notifying the last user.
 */
import {
  isParleyError,
  type ParleyClient,
  ParleyError,
  pushSupported,
  subscribeToPush,
  unsubscribeFromPush,
} from '@parley/client';
import type { OpenConversationMessage } from './sw/service-worker.js';

const PUSH_KEY = 'parley:push';

/** Where notifications stand on this browser, for this account. */
export type PushStatus =
  /** The server sends no pushes (no VAPID keys), or does not serve the worker. */
  | 'server-off'
  /** This browser has no Push API (or not here: iOS outside an installed app, a private window). */
  | 'unsupported'
  /** The user blocked notifications for the site. */
  | 'blocked'
  | 'off'
  | 'on';

interface PushRecord {
  userId: string;
  id: string;
}

function readRecord(): PushRecord | null {
  try {
    const record = JSON.parse(localStorage.getItem(PUSH_KEY) ?? 'null') as PushRecord | null;
    return record && typeof record.userId === 'string' && typeof record.id === 'string' ? record : null;
  } catch {
    return null;
  }
}

let registering: Promise<ServiceWorkerRegistration | null> | null = null;

/** The app's service worker, registered once and active; null when it cannot be (not served). */
export function serviceWorker(): Promise<ServiceWorkerRegistration | null> {
  registering ??= navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(
    () => navigator.serviceWorker.ready,
    () => {
      registering = null;
      return null;
    },
  );
  return registering;
}

/** What the Notifications section shows; never throws (a failure reads as the server's lack). */
export async function pushStatus(client: ParleyClient, userId: string): Promise<PushStatus> {
  if (!pushSupported()) return 'unsupported';
  try {
    const config = await client.rest.push.config();
    if (!config.enabled) return 'server-off';
  } catch {
    return 'server-off';
  }
  if (Notification.permission === 'denied') return 'blocked';
  const registration = await serviceWorker();
  if (!registration) return 'server-off';
  const subscription = await registration.pushManager.getSubscription();
  return subscription && readRecord()?.userId === userId ? 'on' : 'off';
}

/** Asks for permission (call it from a click), subscribes this browser and registers it for `userId`. */
export async function enablePush(client: ParleyClient, userId: string): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted')
    throw new ParleyError({ code: 'PERMISSION_DENIED', message: `notification permission: ${permission}` });
  const registration = await serviceWorker();
  if (!registration)
    throw new ParleyError({ code: 'UNSUPPORTED', message: '/sw.js could not be registered' });
  const { id } = await subscribeToPush(client, { serviceWorkerRegistration: registration });
  localStorage.setItem(PUSH_KEY, JSON.stringify({ userId, id } satisfies PushRecord));
}

/** Ends this browser's subscription, on the server and in the browser. */
export async function disablePush(client: ParleyClient): Promise<void> {
  const record = readRecord();
  localStorage.removeItem(PUSH_KEY);
  const registration = pushSupported() ? await serviceWorker() : null;
  if (!registration) return;
  await unsubscribeFromPush(client, {
    serviceWorkerRegistration: registration,
    subscriptionId: record?.id,
  });
}

/**
 * At sign-out: when this browser notifies `userId`, it stops (quietly: sign-out goes on
 * regardless). `server: false` after the session ended elsewhere: the token is dead, so only the
 * browser's subscription ends, and the server drops the endpoint once the push service calls it gone.
 */
export async function releasePush(
  client: ParleyClient,
  userId: string,
  options: { server: boolean },
): Promise<void> {
  if (readRecord()?.userId !== userId) return;
  if (options.server) {
    await disablePush(client).catch(() => {});
    return;
  }
  localStorage.removeItem(PUSH_KEY);
  const registration = pushSupported() ? await serviceWorker() : null;
  await registration?.pushManager
    .getSubscription()
    .then((subscription) => subscription?.unsubscribe())
    .catch(() => {});
}

/**
 * At start-up: when this browser notifies `userId`, subscribe again quietly, so the server has
 * the current subscription after the browser renewed it or the server changed its key.
 */
export async function resumePush(client: ParleyClient, userId: string): Promise<void> {
  if (readRecord()?.userId !== userId || !pushSupported() || Notification.permission !== 'granted') return;
  const registration = await serviceWorker();
  if (!registration) return;
  try {
    const { id } = await subscribeToPush(client, { serviceWorkerRegistration: registration });
    localStorage.setItem(PUSH_KEY, JSON.stringify({ userId, id } satisfies PushRecord));
  } catch (error) {
    // Push turned off on the server: the section shows it. Anything else is tried at the next start.
    if (isParleyError(error) && error.code === 'UNSUPPORTED') localStorage.removeItem(PUSH_KEY);
  }
}

/** Opens the conversation the worker asks for when a notification is clicked in an open window. */
export function onNotificationOpen(open: (conversationId: string) => void): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<unknown>) => {
    // A type only: the worker and the page share no code, so the worker's build stays one file.
    const data = event.data as Partial<OpenConversationMessage> | null;
    if (data?.type === 'open-conversation' && typeof data.conversationId === 'string')
      open(data.conversationId);
  });
  navigator.serviceWorker.startMessages();
}
