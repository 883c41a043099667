/**
 * The loopback push service, proven with the real `web-push` library as the sender: what it
 * accepts must be what web-push encrypted and signed, and what it refuses must be refused the way
 * RFC 8030, 8291 and 8292 say a push service refuses it.
 */

import { createPrivateKey, sign } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { type PushServiceFake, type PushSubscriptionJSON, startPushService } from './support/push-service.js';

const subject = 'mailto:ops@parley.test';
const keys = webpush.generateVAPIDKeys();
const otherKeys = webpush.generateVAPIDKeys();

let service: PushServiceFake;

beforeAll(async () => {
  service = await startPushService({ vapidPublicKey: keys.publicKey });
});

afterAll(async () => {
  await service.close();
});

function send(
  subscription: PushSubscriptionJSON,
  payload: string | null,
  options: webpush.RequestOptions = {},
): Promise<webpush.SendResult> {
  return webpush.sendNotification(subscription, payload, {
    vapidDetails: { subject, ...keys },
    TTL: 60,
    agent: service.agent,
    ...options,
  });
}

/** What web-push would send, for a test to alter before posting it itself. */
function details(subscription: PushSubscriptionJSON, payload = '{"hello":"world"}'): webpush.RequestDetails {
  return webpush.generateRequestDetails(subscription, payload, {
    vapidDetails: { subject, ...keys },
    TTL: 60,
  });
}

interface Posted {
  status: number;
  message: string;
}

function post(request_: {
  endpoint: string;
  headers: webpush.Headers;
  body: Buffer | null;
}): Promise<Posted> {
  const body = request_.body ?? Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const req = request(
      request_.endpoint,
      {
        method: 'POST',
        agent: service.agent,
        headers: { ...request_.headers, 'Content-Length': String(body.length) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const message = text ? (JSON.parse(text) as { message: string }).message : '';
          resolve({ status: res.statusCode ?? 0, message });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A VAPID header signed here, for claims web-push refuses to produce. */
function vapidHeader(
  claims: Record<string, unknown>,
  { alg = 'ES256', signWith = keys }: { alg?: string; signWith?: webpush.VapidKeys } = {},
): string {
  const point = Buffer.from(signWith.publicKey, 'base64url');
  const privateKey = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: signWith.privateKey,
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ typ: 'JWT', alg })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `vapid t=${input}.${signature.toString('base64url')}, k=${keys.publicKey}`;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('delivery', () => {
  it('delivers a JSON payload decrypted, with the TTL, urgency and VAPID claims it was sent with', async () => {
    const subscription = service.subscribe();
    const message = { type: 'message.created', conversationId: 'c1', text: 'héllo, 世界 👋' };

    const result = await send(subscription, JSON.stringify(message));

    expect(result.statusCode).toBe(201);
    const [push, ...more] = service.received(subscription.endpoint);
    expect(more).toEqual([]);
    expect(push?.json()).toEqual(message);
    expect(push?.payload).toBe(JSON.stringify(message));
    expect(result.headers.location).toBe(push?.location);
    expect(push?.location).toMatch(new RegExp(`^${service.url}/m/`));
    expect(push).toMatchObject({
      endpoint: subscription.endpoint,
      ttl: 60,
      urgency: 'normal',
      topic: undefined,
    });
    expect(push?.vapid).toMatchObject({ publicKey: keys.publicKey, subject, audience: service.url });
    const expiresIn = (push?.vapid.expiresAt.getTime() ?? 0) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
  });

  it('passes Urgency and Topic through', async () => {
    const subscription = service.subscribe();

    await send(subscription, 'ping', { urgency: 'high', topic: 'conversation-c1', TTL: 0 });

    expect(service.received(subscription.endpoint)).toMatchObject([
      { payload: 'ping', urgency: 'high', topic: 'conversation-c1', ttl: 0 },
    ]);
  });

  it('accepts a message without a payload', async () => {
    const subscription = service.subscribe();

    await send(subscription, null);

    expect(service.received(subscription.endpoint)).toMatchObject([{ payload: '' }]);
  });

  it('takes the largest payload that fits 4096 bytes and refuses a larger one with 413', async () => {
    const subscription = service.subscribe();
    // 4096 less the 86-byte header, the 16-byte tag and the padding delimiter.
    const largest = 'x'.repeat(4096 - 86 - 16 - 1);

    await send(subscription, largest);
    await expect(send(subscription, `${largest}x`)).rejects.toMatchObject({ statusCode: 413 });

    expect(service.received(subscription.endpoint).map((push) => push.payload)).toEqual([largest]);
  });

  it('waitFor resolves with a message sent after it was called', async () => {
    const subscription = service.subscribe();

    const waiting = service.waitFor((push) => push.endpoint === subscription.endpoint);
    await send(subscription, '{"n":1}');

    expect((await waiting).json()).toEqual({ n: 1 });
  });

  it('waitFor rejects after its timeout, saying what did arrive', async () => {
    await expect(service.waitFor(() => false, 50)).rejects.toThrow(/no matching push within 50 ms; received/);
  });
});

describe('VAPID (RFC 8292)', () => {
  it('refuses a key other than the one the subscription is restricted to, with 403', async () => {
    const subscription = service.subscribe();

    const sending = send(subscription, 'hi', { vapidDetails: { subject, ...otherKeys } });

    await expect(sending).rejects.toMatchObject({ statusCode: 403 });
    expect(service.rejections(subscription.endpoint)).toMatchObject([
      { status: 403, reason: expect.stringMatching(/k does not match/) },
    ]);
    expect(service.received(subscription.endpoint)).toEqual([]);
  });

  it('accepts any valid key on an unrestricted subscription', async () => {
    const subscription = service.subscribe({ applicationServerKey: null });

    await send(subscription, 'hi', { vapidDetails: { subject, ...otherKeys } });

    expect(service.received(subscription.endpoint)).toMatchObject([
      { payload: 'hi', vapid: { publicKey: otherKeys.publicKey } },
    ]);
  });

  it('refuses a message without VAPID with 401', async () => {
    const subscription = service.subscribe();

    await expect(
      webpush.sendNotification(subscription, 'hi', { TTL: 60, agent: service.agent }),
    ).rejects.toMatchObject({ statusCode: 401 });
    expect(service.rejections(subscription.endpoint)[0]?.reason).toMatch(/Authorization header is missing/);
  });

  it('refuses an expired JWT signed by web-push with 403', async () => {
    const subscription = service.subscribe();
    const request_ = details(subscription);
    const expired = Math.floor(Date.now() / 1000) - 60;
    const { Authorization } = webpush.getVapidHeaders(
      service.url,
      subject,
      keys.publicKey,
      keys.privateKey,
      'aes128gcm',
      expired,
    );

    const answer = await post({ ...request_, headers: { ...request_.headers, Authorization } });

    expect(answer).toMatchObject({ status: 403, message: expect.stringMatching(/JWT expired/) });
    expect(service.received(subscription.endpoint)).toEqual([]);
  });

  it.each([
    [
      'an audience that is another origin',
      { aud: 'https://push.example.net', exp: inAnHour(), sub: subject },
      {},
      /aud/,
    ],
    [
      'an expiry more than 24 hours ahead',
      { aud: 'SELF', exp: inAnHour() + 24 * 3600, sub: subject },
      {},
      /24 hours/,
    ],
    ['no expiry', { aud: 'SELF', sub: subject }, {}, /exp is missing/],
    [
      'a subject that is neither mailto: nor https:',
      { aud: 'SELF', exp: inAnHour(), sub: 'ops@parley.test' },
      {},
      /sub/,
    ],
    ['an alg other than ES256', { aud: 'SELF', exp: inAnHour(), sub: subject }, { alg: 'ES384' }, /ES256/],
    [
      'a signature by a key other than k',
      { aud: 'SELF', exp: inAnHour(), sub: subject },
      { signWith: otherKeys },
      /signature does not verify/,
    ],
  ])('refuses a JWT with %s, with 403', async (_, claims, how, reason) => {
    const subscription = service.subscribe();
    const request_ = details(subscription);
    const aud = claims.aud === 'SELF' ? service.url : claims.aud;
    const Authorization = vapidHeader({ ...claims, aud }, how);

    const answer = await post({ ...request_, headers: { ...request_.headers, Authorization } });

    expect(answer).toMatchObject({ status: 403, message: expect.stringMatching(reason) });
    expect(service.received(subscription.endpoint)).toEqual([]);
  });

  it('accepts the same hand-signed JWT when its claims are valid (the control for the cases above)', async () => {
    const subscription = service.subscribe();
    const request_ = details(subscription, '"control"');
    const Authorization = vapidHeader({ aud: service.url, exp: inAnHour(), sub: subject });

    const answer = await post({ ...request_, headers: { ...request_.headers, Authorization } });

    expect(answer.status).toBe(201);
    expect(service.received(subscription.endpoint)).toMatchObject([{ payload: '"control"' }]);
  });
});

describe('encryption (RFC 8188, RFC 8291)', () => {
  it('refuses a tampered ciphertext with 400', async () => {
    const subscription = service.subscribe();
    const request_ = details(subscription);
    const body = Buffer.from(request_.body!);
    body[body.length - 20]! ^= 0x01;

    const answer = await post({ ...request_, body });

    expect(answer).toMatchObject({ status: 400, message: expect.stringMatching(/authentication failed/) });
    expect(service.received(subscription.endpoint)).toEqual([]);
  });

  it('refuses a payload encrypted for another subscription with 400', async () => {
    const subscription = service.subscribe();
    const other = service.subscribe();
    const request_ = details(other);

    const answer = await post({ ...request_, endpoint: subscription.endpoint });

    expect(answer).toMatchObject({ status: 400, message: expect.stringMatching(/authentication failed/) });
  });

  it('refuses a body cut inside its aes128gcm header with 400', async () => {
    const subscription = service.subscribe();
    const request_ = details(subscription);

    const answer = await post({ ...request_, body: request_.body!.subarray(0, 40) });

    expect(answer).toMatchObject({ status: 400, message: expect.stringMatching(/ends inside the keyid/) });
  });

  it('refuses a payload whose Content-Encoding is not aes128gcm with 415', async () => {
    const subscription = service.subscribe();
    const request_ = details(subscription);

    const answer = await post({
      ...request_,
      headers: { ...request_.headers, 'Content-Encoding': 'aesgcm' },
    });

    expect(answer).toMatchObject({ status: 415, message: expect.stringMatching(/must be aes128gcm/) });
  });
});

describe('push message requests (RFC 8030)', () => {
  it('refuses a message without TTL with 400', async () => {
    const subscription = service.subscribe();
    const { TTL: _ttl, ...headers } = details(subscription).headers;

    const answer = await post({ ...details(subscription), headers });

    expect(answer).toMatchObject({ status: 400, message: expect.stringMatching(/TTL header is required/) });
  });

  it.each([
    ['a Topic longer than 32 characters', { Topic: 't'.repeat(33) }, /Topic/],
    ['a Topic outside base64url', { Topic: 'new message!' }, /Topic/],
    ['an unknown Urgency', { Urgency: 'urgent' }, /Urgency/],
  ])('refuses %s with 400', async (_, extra, reason) => {
    const subscription = service.subscribe();
    const request_ = details(subscription);

    const answer = await post({ ...request_, headers: { ...request_.headers, ...extra } });

    expect(answer).toMatchObject({ status: 400, message: expect.stringMatching(reason) });
  });

  it('answers 404 for an endpoint it never issued', async () => {
    const subscription = { ...service.subscribe(), endpoint: `${service.url}/push/never-issued` };

    await expect(send(subscription, 'hi')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('respondWith', () => {
  it('makes every request to the endpoint answer 410, which web-push rejects with statusCode 410', async () => {
    const subscription = service.subscribe();
    service.respondWith(subscription.endpoint, 410);

    await expect(send(subscription, 'one')).rejects.toBeInstanceOf(webpush.WebPushError);
    await expect(send(subscription, 'two')).rejects.toMatchObject({ statusCode: 410 });

    expect(service.attempts(subscription.endpoint).map((attempt) => attempt.status)).toEqual([410, 410]);
    expect(service.received(subscription.endpoint)).toEqual([]);
  });

  it('answers the next request only with times: 1, with Retry-After, then delivers again', async () => {
    const subscription = service.subscribe();
    service.respondWith(subscription.endpoint, 429, { times: 1, retryAfter: 30 });

    await expect(send(subscription, 'throttled')).rejects.toMatchObject({
      statusCode: 429,
      headers: expect.objectContaining({ 'retry-after': '30' }),
    });
    await send(subscription, 'delivered');

    expect(service.received(subscription.endpoint).map((push) => push.payload)).toEqual(['delivered']);
  });

  it('throws for an endpoint the service never issued', () => {
    expect(() => service.respondWith(`${service.url}/push/typo`, 410)).toThrow(/not a subscription here/);
  });
});
