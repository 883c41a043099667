/**
 * The Web Push helpers without a server: what they ask of the browser's PushManager and send over
 * REST (a recording fetch), the key handling, and how browser failures become ParleyError codes.
 */
import {
  applicationServerKey,
  createParleyRest,
  isParleyError,
  type ParleyError,
  type PushRegistrationLike,
  type PushSubscriptionLike,
  pushSupported,
  subscribeToPush,
  unsubscribeFromPush,
} from '@parley/client';
import { describe, expect, it } from 'vitest';

const KEY = Buffer.from(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i))).toString('base64url');
const OTHER_KEY = Buffer.from(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : 200 - i))).toString(
  'base64url',
);
const KEYS = { p256dh: 'BP256dh-key', auth: 'auth-secret' };

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** REST over a fetch that answers from `answers` (by "METHOD /path") and records each call. */
function fakeServer(answers: Record<string, { status: number; body?: unknown }>) {
  const calls: Call[] = [];
  const rest = createParleyRest({
    url: 'https://chat.example.test',
    token: 'token',
    fetch: async (input, init) => {
      const path = new URL(input).pathname;
      const method = init.method ?? 'GET';
      calls.push({ method, path, ...(init.body && { body: JSON.parse(String(init.body)) }) });
      const answer = answers[`${method} ${path}`] ?? { status: 404, body: { error: { code: 'NOT_FOUND' } } };
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status,
      });
    },
  });
  return { rest, calls };
}

const enabled = { 'GET /api/push/config': { status: 200, body: { enabled: true, publicKey: KEY } } };

/** A PushManager holding `existing` (or none), whose subscribe answers a new one or throws `refusal`. */
function browser(options: { existingKey?: string; refusal?: Error; noKeys?: boolean } = {}) {
  const unsubscribed: string[] = [];
  const subscribedWith: Uint8Array[] = [];
  const make = (endpoint: string, key: Uint8Array): PushSubscriptionLike => ({
    endpoint,
    options: { applicationServerKey: key.slice().buffer },
    toJSON: () => ({ endpoint, expirationTime: null, ...(!options.noKeys && { keys: KEYS }) }),
    async unsubscribe() {
      unsubscribed.push(endpoint);
      if (current?.endpoint === endpoint) current = null;
      return true;
    },
  });
  let current: PushSubscriptionLike | null =
    options.existingKey === undefined
      ? null
      : make('https://push.example.test/old', applicationServerKey(options.existingKey));
  const registration: PushRegistrationLike = {
    pushManager: {
      getSubscription: async () => current,
      async subscribe({ userVisibleOnly, applicationServerKey: key }) {
        expect(userVisibleOnly).toBe(true);
        subscribedWith.push(key);
        if (options.refusal) throw options.refusal;
        current = make('https://push.example.test/new', key);
        return current;
      },
    },
  };
  return { registration, unsubscribed, subscribedWith, current: () => current };
}

const domError = (name: string, message: string) => Object.assign(new Error(message), { name });

async function failure(promise: Promise<unknown>): Promise<ParleyError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isParleyError(error), String(error)).toBe(true);
  return error as ParleyError;
}

describe('applicationServerKey and pushSupported', () => {
  it('decodes base64url with or without padding, and refuses anything else', () => {
    expect([...applicationServerKey('AQID')]).toEqual([1, 2, 3]);
    expect([...applicationServerKey('_-8')]).toEqual([255, 239]);
    expect([...applicationServerKey('_-8=')]).toEqual([255, 239]);
    expect(applicationServerKey(KEY)).toHaveLength(65);
    expect(() => applicationServerKey('not base64+/')).toThrow(/base64url/);
  });

  it('says whether the environment has a service worker container, PushManager and Notification', () => {
    expect(pushSupported()).toBe(false);
    class Stub {}
    expect(pushSupported({ navigator: { serviceWorker: {} }, PushManager: Stub, Notification: Stub })).toBe(
      true,
    );
    expect(pushSupported({ navigator: {}, PushManager: Stub, Notification: Stub })).toBe(false);
    expect(pushSupported({ navigator: { serviceWorker: {} }, Notification: Stub })).toBe(false);
  });
});

describe('subscribeToPush', () => {
  it('subscribes with the server’s key and posts the subscription', async () => {
    const server = fakeServer({
      ...enabled,
      'POST /api/users/me/push-subscriptions': { status: 201, body: { id: 's1' } },
    });
    const b = browser();
    expect(await subscribeToPush(server.rest, { serviceWorkerRegistration: b.registration })).toEqual({
      id: 's1',
      endpoint: 'https://push.example.test/new',
    });
    expect(Buffer.from(b.subscribedWith[0]!).toString('base64url')).toBe(KEY);
    expect(server.calls.at(-1)).toEqual({
      method: 'POST',
      path: '/api/users/me/push-subscriptions',
      body: { endpoint: 'https://push.example.test/new', expirationTime: null, keys: KEYS },
    });
  });

  it('reuses a subscription made with the same key, and replaces one made with another', async () => {
    const answers = {
      ...enabled,
      'POST /api/users/me/push-subscriptions': { status: 201, body: { id: 's1' } },
    };
    const same = browser({ existingKey: KEY });
    await subscribeToPush(fakeServer(answers).rest, { serviceWorkerRegistration: same.registration });
    expect(same.subscribedWith).toEqual([]);
    expect(same.current()?.endpoint).toBe('https://push.example.test/old');

    const stale = browser({ existingKey: OTHER_KEY });
    await subscribeToPush(fakeServer(answers).rest, { serviceWorkerRegistration: stale.registration });
    expect(stale.unsubscribed).toEqual(['https://push.example.test/old']);
    expect(stale.current()?.endpoint).toBe('https://push.example.test/new');
  });

  it('answers UNSUPPORTED when the server sends no pushes, without touching the browser', async () => {
    const server = fakeServer({
      'GET /api/push/config': { status: 200, body: { enabled: false, publicKey: null } },
    });
    const b = browser();
    expect(
      (await failure(subscribeToPush(server.rest, { serviceWorkerRegistration: b.registration }))).code,
    ).toBe('UNSUPPORTED');
    expect(b.subscribedWith).toEqual([]);
    expect(server.calls.map((c) => c.path)).toEqual(['/api/push/config']);
  });

  it('turns a blocked permission into PERMISSION_DENIED, a push service failure into NETWORK, no push into UNSUPPORTED', async () => {
    const denied = browser({
      refusal: domError('NotAllowedError', 'Registration failed - permission denied'),
    });
    const server = fakeServer(enabled);
    const refused = await failure(
      subscribeToPush(server.rest, { serviceWorkerRegistration: denied.registration }),
    );
    expect(refused.code).toBe('PERMISSION_DENIED');
    const aborted = browser({ refusal: domError('AbortError', 'Registration failed - push service error') });
    const lost = await failure(
      subscribeToPush(server.rest, { serviceWorkerRegistration: aborted.registration }),
    );
    expect(lost).toMatchObject({ code: 'NETWORK', transient: true });
    // Chrome's private windows: no push service at all.
    const incognito = browser({ refusal: domError('AbortError', 'Registration failed - permission denied') });
    const none = await failure(
      subscribeToPush(server.rest, { serviceWorkerRegistration: incognito.registration }),
    );
    expect(none.code).toBe('UNSUPPORTED');
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('refuses a subscription without keys instead of posting it', async () => {
    const b = browser({ noKeys: true });
    const server = fakeServer(enabled);
    expect(
      (await failure(subscribeToPush(server.rest, { serviceWorkerRegistration: b.registration }))).code,
    ).toBe('VALIDATION_FAILED');
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

describe('unsubscribeFromPush', () => {
  it('deletes the given id on the server and ends the browser’s subscription', async () => {
    const server = fakeServer({ 'DELETE /api/users/me/push-subscriptions/s1': { status: 204 } });
    const b = browser({ existingKey: KEY });
    expect(
      await unsubscribeFromPush(server.rest, {
        serviceWorkerRegistration: b.registration,
        subscriptionId: 's1',
      }),
    ).toBe(true);
    expect(server.calls).toEqual([{ method: 'DELETE', path: '/api/users/me/push-subscriptions/s1' }]);
    expect(b.current()).toBeNull();
  });

  it('without an id, learns it by posting the subscription again; an id the server forgot is fine', async () => {
    const server = fakeServer({
      'POST /api/users/me/push-subscriptions': { status: 201, body: { id: 's9' } },
    });
    const b = browser({ existingKey: KEY });
    expect(await unsubscribeFromPush(server.rest, { serviceWorkerRegistration: b.registration })).toBe(true);
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api/users/me/push-subscriptions',
      'DELETE /api/users/me/push-subscriptions/s9',
    ]);
    expect(b.current()).toBeNull();
  });

  it('ends the browser’s subscription even when the token is dead, then throws', async () => {
    const server = fakeServer({
      'DELETE /api/users/me/push-subscriptions/s1': {
        status: 401,
        body: { error: { code: 'UNAUTHORIZED' } },
      },
    });
    const b = browser({ existingKey: KEY });
    const error = await failure(
      unsubscribeFromPush(server.rest, { serviceWorkerRegistration: b.registration, subscriptionId: 's1' }),
    );
    expect(error.code).toBe('UNAUTHORIZED');
    expect(b.current()).toBeNull();
  });

  it('answers false when the browser has no subscription', async () => {
    const server = fakeServer({});
    expect(
      await unsubscribeFromPush(server.rest, { serviceWorkerRegistration: browser().registration }),
    ).toBe(false);
    expect(server.calls).toEqual([]);
  });
});
