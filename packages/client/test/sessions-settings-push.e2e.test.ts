/**
 * Sessions, privacy settings and Web Push against a real host: the devices list, signing out one
 * device (its client ends cleanly as `unauthorized`, the others stay online), settings that
 * friends notice, and a browser's push subscription made with subscribeToPush, pushed to while
 * offline (a recording PushSender stands in for the push service) and ended.
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import type { PushNotificationPayload, PushSender, PushTarget } from '@parley/chat-core';
import {
  type ConnectionState,
  isParleyError,
  type ParleyError,
  type PushRegistrationLike,
  type PushSubscriptionLike,
  subscribeToPush,
  unsubscribeFromPush,
} from '@parley/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  befriend,
  clientPool,
  loginAgain,
  reach,
  register,
  startHost,
  type TestHost,
  until,
} from './helpers.js';

/** A push service stand-in: records each notification and resolves the waits on it. */
function recordingPushSender() {
  const sent: { target: PushTarget; payload: PushNotificationPayload }[] = [];
  const waiters: (() => void)[] = [];
  const sender: PushSender = {
    publicKey: Buffer.from(createECDH('prime256v1').generateKeys()).toString('base64url'),
    async send(target, payload) {
      sent.push({ target, payload: JSON.parse(payload) as PushNotificationPayload });
      for (const wake of waiters.splice(0)) wake();
      return { kind: 'sent' };
    },
  };
  const next = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${sent.length} pushes`)), 10_000);
      const check = () => {
        if (sent.length >= count) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { sender, sent, next };
}

/** A browser's PushManager as far as the SDK uses it: real P-256 keys, an https endpoint. */
function fakeRegistration() {
  let current: PushSubscriptionLike | null = null;
  const subscribedWith: Uint8Array[] = [];
  const registration: PushRegistrationLike = {
    pushManager: {
      getSubscription: async () => current,
      async subscribe({ applicationServerKey }) {
        subscribedWith.push(applicationServerKey);
        const endpoint = `https://push.example.test/send/${randomUUID()}`;
        const keys = {
          p256dh: Buffer.from(createECDH('prime256v1').generateKeys()).toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        };
        const subscription: PushSubscriptionLike = {
          endpoint,
          options: { applicationServerKey: applicationServerKey.slice().buffer },
          toJSON: () => ({ endpoint, expirationTime: null, keys }),
          async unsubscribe() {
            if (current === subscription) current = null;
            return true;
          },
        };
        current = subscription;
        return subscription;
      },
    },
  };
  return { registration, subscribedWith, current: () => current };
}

async function failure(promise: Promise<unknown>): Promise<ParleyError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isParleyError(error), String(error)).toBe(true);
  return error as ParleyError;
}

const push = recordingPushSender();
let server: TestHost;
let noPush: TestHost;
const pool = clientPool();
beforeAll(async () => {
  [server, noPush] = await Promise.all([startHost({ pushSender: push.sender }), startHost()]);
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.close();
  await noPush?.close();
});

describe('sessions', () => {
  it('GET /api/auth/sessions lists the signed-in devices, this one marked current', async () => {
    const laptop = await register(server.url);
    const phone = await loginAgain(server.url, laptop, 'ParleyPhone/1.0');
    const { sessions } = await laptop.rest.auth.sessions();
    expect(sessions).toHaveLength(2);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    const other = sessions.find((s) => !s.current);
    expect(other).toMatchObject({ userAgent: 'ParleyPhone/1.0' });
    expect(Date.parse(other?.createdAt ?? '')).not.toBeNaN();
    expect(Date.parse(other?.lastSeenAt ?? '')).not.toBeNaN();
    // Each device sees itself as current.
    const fromPhone = await phone.rest.auth.sessions();
    expect(fromPhone.sessions.find((s) => s.current)?.id).toBe(other?.id);
  });

  it('signing out another device ends its realtime session cleanly; this one stays online', async () => {
    const laptop = await register(server.url);
    const phone = await loginAgain(server.url, laptop, 'ParleyPhone/1.0');
    const onLaptop = pool.make(server.url, laptop.token);
    const onPhone = pool.make(server.url, phone.token);
    await Promise.all([onLaptop.whenOnline(), onPhone.whenOnline()]);
    const phoneStates: ConnectionState[] = [];
    const errors: (string | undefined)[] = [];
    onPhone.on('connection', ({ state, error }) => {
      phoneStates.push(state);
      errors.push(error?.code);
    });

    const { sessions } = await laptop.rest.auth.sessions();
    const phoneSession = sessions.find((s) => !s.current);
    await laptop.rest.auth.revokeSession(phoneSession!.id);
    await reach(onPhone, 'unauthorized');
    // Straight to unauthorized: no "offline" and no handshake retried with the dead token.
    expect(phoneStates).toEqual(['unauthorized']);
    expect(errors).toEqual(['UNAUTHORIZED']);
    expect((await failure(phone.rest.users.me())).code).toBe('UNAUTHORIZED');

    expect(onLaptop.state).toBe('online');
    expect(onLaptop.socket.connected).toBe(true);
    const after = await laptop.rest.auth.sessions();
    expect(after.sessions.map((s) => s.id)).toEqual([sessions.find((s) => s.current)?.id]);
  });

  it('a signed-out device with a refreshToken comes back with the new token', async () => {
    const laptop = await register(server.url);
    const phone = await loginAgain(server.url, laptop, 'ParleyPhone/1.0');
    const asked: string[] = [];
    const onPhone = pool.make(server.url, phone.token, {
      refreshToken: async (code) => {
        asked.push(code);
        return (await loginAgain(server.url, laptop, 'ParleyPhone/1.0')).token;
      },
    });
    await onPhone.whenOnline();
    const phoneSession = (await laptop.rest.auth.sessions()).sessions.find((s) => !s.current);
    const back = until(
      onPhone,
      () => asked.length === 1 && onPhone.state === 'online',
      10_000,
      'back online',
    );
    await laptop.rest.auth.revokeSession(phoneSession!.id);
    await back;
    expect(asked).toEqual(['UNAUTHORIZED']);
    expect((await onPhone.rest.users.me()).user.id).toBe(laptop.id);
  });

  it('ending the current session is a logout; another user’s session or an unknown id is NOT_FOUND', async () => {
    const alice = await register(server.url);
    const mallory = await register(server.url);
    const aliceSessions = (await alice.rest.auth.sessions()).sessions;
    expect((await failure(mallory.rest.auth.revokeSession(aliceSessions[0]!.id))).code).toBe('NOT_FOUND');
    expect((await failure(alice.rest.auth.revokeSession('0123456789abcdef01234567'))).code).toBe('NOT_FOUND');
    expect((await alice.rest.auth.sessions()).sessions).toHaveLength(1);

    const client = pool.make(server.url, alice.token);
    await client.whenOnline();
    await alice.rest.auth.revokeSession(aliceSessions[0]!.id);
    await reach(client, 'unauthorized');
    expect((await failure(alice.rest.auth.sessions())).code).toBe('UNAUTHORIZED');
  });

  it('logout-all signs out every device', async () => {
    const laptop = await register(server.url);
    const phone = await loginAgain(server.url, laptop, 'ParleyPhone/1.0');
    const onLaptop = pool.make(server.url, laptop.token);
    const onPhone = pool.make(server.url, phone.token);
    await Promise.all([onLaptop.whenOnline(), onPhone.whenOnline()]);
    await laptop.rest.auth.logoutAll();
    await Promise.all([reach(onLaptop, 'unauthorized'), reach(onPhone, 'unauthorized')]);
    const fresh = await loginAgain(server.url, laptop, 'ParleyTablet/1.0');
    expect((await fresh.rest.auth.sessions()).sessions.map((s) => s.userAgent)).toEqual(['ParleyTablet/1.0']);
  });
});

describe('privacy settings', () => {
  it('PUT settings answers every setting, keeps what was left out, and friends see "online" hidden', async () => {
    const alice = await register(server.url);
    const bob = await register(server.url);
    await befriend(alice, bob);
    const before = (await alice.rest.users.me()).user.settings;
    expect(before).toMatchObject({
      showLastSeen: true,
      showOnline: true,
      sendReadReceipts: true,
      pushPreviews: true,
    });

    const onAlice = pool.make(server.url, alice.token);
    const onBob = pool.make(server.url, bob.token);
    await Promise.all([onAlice.whenOnline(), onBob.whenOnline()]);
    await until(onBob, () => onBob.presence(alice.id)?.status === 'online', 10_000, 'Alice online');

    const { user } = await alice.rest.users.updateSettings({ showOnline: false, pushPreviews: false });
    expect(user.settings).toEqual({
      ...before,
      showOnline: false,
      pushPreviews: false,
    });
    expect((await alice.rest.users.me()).user.settings).toEqual(user.settings);
    await until(onBob, () => onBob.presence(alice.id)?.status === 'offline', 10_000, 'Alice hidden');

    await alice.rest.users.updateSettings({ showOnline: true });
    await until(onBob, () => onBob.presence(alice.id)?.status === 'online', 10_000, 'Alice shown');
    expect((await alice.rest.users.me()).user.settings.pushPreviews).toBe(false);

    const refused = await failure(
      alice.rest.users.updateSettings({ showOnline: 'yes' as unknown as boolean }),
    );
    expect(refused.code).toBe('VALIDATION_FAILED');
  });
});

describe('Web Push', () => {
  it('subscribes with the server’s key, is pushed to while offline, and unsubscribes', async () => {
    const alice = await register(server.url, 'Alice');
    const bob = await register(server.url, 'Bob');
    await befriend(alice, bob);
    // Alice's browser tab is closed: a client with no socket, for its REST helpers.
    const onAlice = pool.make(server.url, alice.token, { autoConnect: false });
    const browser = fakeRegistration();

    const config = await onAlice.rest.push.config();
    expect(config).toEqual({ enabled: true, publicKey: push.sender.publicKey });
    const first = await subscribeToPush(onAlice, { serviceWorkerRegistration: browser.registration });
    expect(Buffer.from(browser.subscribedWith[0]!).toString('base64url')).toBe(push.sender.publicKey);
    // Again (a reload): the browser's subscription is reused and the server keeps its id.
    const again = await subscribeToPush(alice.rest, { serviceWorkerRegistration: browser.registration });
    expect(again).toEqual(first);
    expect(browser.subscribedWith).toHaveLength(1);

    // Alice has no socket: Bob's message becomes a push to her browser.
    // Counted before the send: with no grace the push may go out before the send's answer arrives.
    const count = push.sent.length;
    const { message } = await bob.rest.messages.sendPrivate(alice.id, { content: 'Dinner at eight?' });
    await push.next(count + 1);
    const notification = push.sent.at(-1)!;
    expect(notification.target.endpoint).toBe(first.endpoint);
    expect(notification.payload).toMatchObject({
      type: 'message',
      messageId: message.id,
      conversationId: message.conversationId,
      senderId: bob.id,
      senderName: 'Bob',
      title: 'Bob',
      body: 'Dinner at eight?',
      sentAt: message.createdAt,
    });
    expect(new URL(notification.payload.url).search).toBe(
      `?conversation=${encodeURIComponent(message.conversationId)}`,
    );

    // Previews off: the push says only that something came.
    await alice.rest.users.updateSettings({ pushPreviews: false });
    await bob.rest.messages.sendPrivate(alice.id, { content: 'secret plans' });
    await push.next(count + 2);
    expect(push.sent.at(-1)?.payload).toMatchObject({ title: 'Bob', body: 'New message' });

    expect(await unsubscribeFromPush(onAlice, { serviceWorkerRegistration: browser.registration })).toBe(
      true,
    );
    expect(browser.current()).toBeNull();
    expect((await failure(alice.rest.users.removePushSubscription(first.id))).code).toBe('NOT_FOUND');
    expect(await unsubscribeFromPush(onAlice, { serviceWorkerRegistration: browser.registration })).toBe(
      false,
    );
  });

  it('refuses a malformed subscription, another user’s id, and a server without push', async () => {
    const alice = await register(server.url);
    const mallory = await register(server.url);
    const browser = fakeRegistration();
    const { id } = await subscribeToPush(alice.rest, { serviceWorkerRegistration: browser.registration });
    expect((await failure(mallory.rest.users.removePushSubscription(id))).code).toBe('NOT_FOUND');
    const plain = await failure(
      alice.rest.users.addPushSubscription({
        endpoint: 'http://push.example.test/x',
        keys: { p256dh: 'AAAA', auth: 'AAAA' },
      }),
    );
    expect(plain.code).toBe('VALIDATION_FAILED');
    await alice.rest.users.removePushSubscription(id);

    const elsewhere = await register(noPush.url);
    expect(await elsewhere.rest.push.config()).toEqual({ enabled: false, publicKey: null });
    const off = await failure(
      subscribeToPush(elsewhere.rest, { serviceWorkerRegistration: fakeRegistration().registration }),
    );
    expect(off.code).toBe('UNSUPPORTED');
  });
});
