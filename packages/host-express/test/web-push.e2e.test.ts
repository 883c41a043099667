/**
 * Web Push end to end: the host's web-push sender against a loopback push service that checks
 * VAPID and decrypts every payload with the subscription's own keys (RFC 8291), so what arrives is
 * what a browser's service worker would get.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadEnv, webPushSender } from '@parley/host-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { startServer, type TestServer } from './helpers.js';
import { type PushServiceFake, startPushService } from './support/push-service.js';

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:ops@parley.example';

describe('offline Web Push', () => {
  let push: PushServiceFake;
  let server: TestServer;

  beforeAll(async () => {
    push = await startPushService({ vapidPublicKey: vapid.publicKey });
    server = await startServer({
      config: {
        chat: { presenceGraceMs: 300, deliveryPollMs: 50, deliveryBaseDelayMs: 50, deliveryMaxDelayMs: 100 },
      },
      pushSender: webPushSender({ ...vapid, subject: SUBJECT, agent: push.agent }),
    });
  });
  afterAll(async () => {
    await server?.close();
    await push?.close();
  });

  it('a message to a user with no socket arrives at their browser, encrypted, after the grace', async () => {
    const [alice, bob] = await server.friends();
    const config = await server.api('GET', '/api/push/config', { token: bob.token });
    expect(config.body).toEqual({ enabled: true, publicKey: vapid.publicKey });
    const browser = push.subscribe();
    const stored = await server.api('POST', '/api/users/me/push-subscriptions', {
      token: bob.token,
      body: browser,
    });
    expect(stored.status).toBe(201);

    const started = Date.now();
    const sent = await server.api('POST', `/api/messages/private/${bob.id}`, {
      token: alice.token,
      body: { content: 'Dinner at eight? 🍝' },
    });
    expect(sent.status).toBe(201);
    const arrived = await push.waitFor((p) => p.endpoint === browser.endpoint, 5000);
    // The offline grace (300 ms) passes first: a reconnect within it would have made this needless.
    expect(arrived.receivedAt.getTime() - started).toBeGreaterThanOrEqual(250);
    expect(arrived.json()).toMatchObject({
      type: 'message',
      messageId: sent.body.message.id,
      conversationId: sent.body.message.conversationId,
      senderId: alice.id,
      senderName: alice.nickname,
      title: alice.nickname,
      body: 'Dinner at eight? 🍝',
    });
    expect(arrived.vapid).toMatchObject({ publicKey: vapid.publicKey, subject: SUBJECT });
    expect(arrived.urgency).toBe('high');
    expect(arrived.ttl).toBe(86_400);
  });

  it('no push while a socket is connected; previews off send no text', async () => {
    const [alice, bob] = await server.friends();
    const browser = push.subscribe();
    await server.api('POST', '/api/users/me/push-subscriptions', { token: bob.token, body: browser });
    const socket = await server.connect(bob.token);
    await server.api('POST', `/api/messages/private/${bob.id}`, {
      token: alice.token,
      body: { content: 'live' },
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(push.received(browser.endpoint)).toEqual([]);
    socket.disconnect();

    await server.api('PUT', '/api/users/me/settings', { token: bob.token, body: { pushPreviews: false } });
    await server.api('POST', `/api/messages/private/${bob.id}`, {
      token: alice.token,
      body: { content: 'the secret plan' },
    });
    const arrived = await push.waitFor((p) => p.endpoint === browser.endpoint, 5000);
    expect(arrived.json()).toMatchObject({ title: alice.nickname, body: 'New message' });
    expect(arrived.payload).not.toContain('secret');
  });

  it('a subscription the push service calls gone is dropped; a 503 is retried', async () => {
    const [alice, bob] = await server.friends();
    const gone = push.subscribe();
    const flaky = push.subscribe();
    for (const s of [gone, flaky]) {
      await server.api('POST', '/api/users/me/push-subscriptions', { token: bob.token, body: s });
    }
    push.respondWith(gone.endpoint, 410);
    push.respondWith(flaky.endpoint, 503, { times: 1 });
    await server.api('POST', `/api/messages/private/${bob.id}`, {
      token: alice.token,
      body: { content: 'anyone?' },
    });
    const arrived = await push.waitFor((p) => p.endpoint === flaky.endpoint, 8000);
    expect(arrived.json()).toMatchObject({ body: 'anyone?' });
    expect(push.attempts(flaky.endpoint).map((a) => a.status)).toEqual([503, 201]);
    await expect
      .poll(async () =>
        (await server.host.engine.store.pushSubscriptions.listByUser(bob.id)).map((s) => s.endpoint),
      )
      .toEqual([flaky.endpoint]);
  });
});

describe('VAPID configuration', () => {
  it('`pnpm vapid-keys` prints a pair the environment accepts; a partial set is a start-up error', async () => {
    const script = fileURLToPath(new URL('../src/vapid-keys.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script]);
    const env = Object.fromEntries(
      stdout
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(env).sort()).toEqual(['VAPID_PRIVATE_KEY', 'VAPID_PUBLIC_KEY', 'VAPID_SUBJECT']);
    const config = loadEnv({ NODE_ENV: 'test', ...env });
    expect(config.push).toEqual({
      publicKey: env.VAPID_PUBLIC_KEY,
      privateKey: env.VAPID_PRIVATE_KEY,
      subject: env.VAPID_SUBJECT,
    });
    expect(() => webPushSender(config.push ?? ({} as never))).not.toThrow();
    expect(() => loadEnv({ NODE_ENV: 'test', VAPID_PUBLIC_KEY: env.VAPID_PUBLIC_KEY })).toThrow(
      /VAPID_PRIVATE_KEY: required[\s\S]*VAPID_SUBJECT: required/,
    );
    expect(() => loadEnv({ NODE_ENV: 'test', ...env, VAPID_PUBLIC_KEY: 'short' })).toThrow(
      /VAPID_PUBLIC_KEY/,
    );
    expect(loadEnv({ NODE_ENV: 'test' }).push).toBeNull();
  });
});
