/**
 * The service worker without a browser: the server's push payload becomes the notification the
 * contract describes (title, body, tag = conversation, data.url), anything unreadable still shows
 * one, and a click focuses an open Parley window (telling it which chat) or opens the chat's URL.
 * Also the build: `dist/sw.js` is one classic script, importing nothing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PushNotificationPayload } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { clickUrl, notificationFor } from '../src/sw/notification.js';
import {
  installServiceWorker,
  type OpenConversationMessage,
  type ServiceWorkerScopeLike,
  type WindowClientLike,
} from '../src/sw/service-worker.js';
import { ensureBuilt } from './harness.js';

const ORIGIN = 'https://chat.example.test';

const payload: PushNotificationPayload = {
  type: 'message',
  messageId: 'm1',
  conversationId: 'g:team',
  senderId: 'u2',
  senderName: 'Bob',
  groupId: 'team',
  groupName: 'Team',
  title: 'Team',
  body: 'Bob: lunch?',
  sentAt: '2025-01-02T03:04:05.000Z',
  url: `${ORIGIN}/?conversation=g%3Ateam`,
};

describe('notificationFor', () => {
  it('shows the title and body, tagged with the conversation, opening its URL', () => {
    expect(notificationFor(payload, ORIGIN)).toEqual({
      title: 'Team',
      options: {
        body: 'Bob: lunch?',
        tag: 'g:team',
        renotify: true,
        timestamp: Date.parse('2025-01-02T03:04:05.000Z'),
        data: { url: `${ORIGIN}/?conversation=g%3Ateam`, conversationId: 'g:team' },
      },
    });
  });

  it('keeps a click on the app’s own origin', () => {
    const elsewhere = notificationFor(
      { ...payload, url: 'https://evil.example/?conversation=g%3Ateam' },
      ORIGIN,
    );
    expect(elsewhere.options.data.url).toBe(`${ORIGIN}/?conversation=g%3Ateam`);
    expect(clickUrl('not a url', 'p:a:b', ORIGIN)).toBe(`${ORIGIN}/?conversation=p%3Aa%3Ab`);
    expect(clickUrl(undefined, null, ORIGIN)).toBe(`${ORIGIN}/`);
  });

  it('still shows something for an empty or unknown push, and fills a missing title or body', () => {
    for (const unknown of [null, 'text', { type: 'other' }, { type: 'message' }])
      expect(notificationFor(unknown, ORIGIN)).toMatchObject({
        title: 'Parley',
        options: { body: 'New message', tag: 'parley', data: { url: `${ORIGIN}/`, conversationId: null } },
      });
    const bare = notificationFor({ type: 'message', conversationId: 'p:a:b', senderName: 'Ann' }, ORIGIN);
    expect(bare).toMatchObject({ title: 'Ann', options: { body: 'New message', tag: 'p:a:b' } });
    expect(bare.options).not.toHaveProperty('timestamp');
  });
});

type Listener = (event: unknown) => void;

/** A ServiceWorkerGlobalScope stand-in: records notifications, window focus, messages, openWindow. */
function fakeScope(windows: { url: string; focused?: boolean; visibilityState?: string }[] = []) {
  const listeners = new Map<string, Listener>();
  const shown: { title: string; options: unknown }[] = [];
  const opened: string[] = [];
  const focused: string[] = [];
  const posted: { url: string; message: OpenConversationMessage }[] = [];
  let claimed = false;
  const clients: WindowClientLike[] = windows.map((w) => ({
    url: w.url,
    focused: w.focused ?? false,
    visibilityState: w.visibilityState ?? 'hidden',
    focus: async () => focused.push(w.url),
    postMessage: (message) => posted.push({ url: w.url, message }),
  }));
  const scope: ServiceWorkerScopeLike = {
    location: { origin: ORIGIN },
    registration: {
      showNotification: async (title, options) => {
        shown.push({ title, options });
      },
    },
    clients: {
      matchAll: async () => clients,
      openWindow: async (url) => opened.push(url),
      claim: async () => {
        claimed = true;
      },
    },
    skipWaiting: async () => {},
    addEventListener: (type: string, listener: (event: never) => void) => {
      listeners.set(type, listener as Listener);
    },
  };
  installServiceWorker(scope);
  /** Dispatches an event and waits for what it gave to waitUntil. */
  const dispatch = async (type: string, fields: object) => {
    const waits: Promise<unknown>[] = [];
    listeners.get(type)?.({ ...fields, waitUntil: (p: Promise<unknown>) => waits.push(p) });
    expect(waits).toHaveLength(1);
    await Promise.all(waits);
  };
  return { dispatch, shown, opened, focused, posted, claimed: () => claimed };
}

const pushData = (value: unknown) => ({
  json: () => (typeof value === 'string' ? JSON.parse(value) : value),
  text: () => JSON.stringify(value),
});

describe('the service worker', () => {
  it('takes over at once, and shows a push as its notification', async () => {
    const sw = fakeScope();
    await sw.dispatch('install', {});
    await sw.dispatch('activate', {});
    expect(sw.claimed()).toBe(true);
    await sw.dispatch('push', { data: pushData(payload) });
    expect(sw.shown).toEqual([notificationFor(payload, ORIGIN)]);
    await sw.dispatch('push', { data: pushData('{not json') });
    await sw.dispatch('push', { data: null });
    expect(sw.shown.slice(1).map((n) => n.title)).toEqual(['Parley', 'Parley']);
  });

  it('a click focuses the open window and tells it the conversation', async () => {
    const sw = fakeScope([
      { url: 'https://other.example/' },
      { url: `${ORIGIN}/`, visibilityState: 'hidden' },
      { url: `${ORIGIN}/invite/x`, visibilityState: 'visible' },
    ]);
    let closed = false;
    const { data } = notificationFor(payload, ORIGIN).options;
    await sw.dispatch('notificationclick', { notification: { data, close: () => (closed = true) } });
    expect(closed).toBe(true);
    expect(sw.focused).toEqual([`${ORIGIN}/invite/x`]);
    expect(sw.posted).toEqual([
      {
        url: `${ORIGIN}/invite/x`,
        message: { type: 'open-conversation', conversationId: 'g:team', url: data.url },
      },
    ]);
    expect(sw.opened).toEqual([]);
  });

  it('a click with no Parley window open opens the conversation’s URL', async () => {
    const sw = fakeScope([{ url: 'https://other.example/' }]);
    const { data } = notificationFor(payload, ORIGIN).options;
    await sw.dispatch('notificationclick', { notification: { data, close: () => {} } });
    expect(sw.opened).toEqual([`${ORIGIN}/?conversation=g%3Ateam`]);
    expect(sw.focused).toEqual([]);
  });
});

describe('the built worker', () => {
  it('is dist/sw.js: one classic script with no import or export', () => {
    ensureBuilt();
    const code = readFileSync(fileURLToPath(new URL('../dist/sw.js', import.meta.url)), 'utf8');
    expect(code).toContain('showNotification');
    expect(code).toContain('notificationclick');
    expect(code).not.toMatch(/(^|[;\s])(import|export)\s*[{*"'\w]/);
  });
});
