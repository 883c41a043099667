/**
 * The wire as a stranger's client meets it: scalar query parameters, caching headers, oversized
 * headers, browser origins on WebSocket upgrades, one event budget for sockets and REST sends,
 * and login limits that a stranger cannot turn against an account's owner.
 */
import { request as httpRequest } from 'node:http';
import { io as connectClient } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { startServer, useServer } from './helpers.js';

const server = useServer();

describe('query parameters', () => {
  it('are scalars: arrays, objects and repeats answer 400 VALIDATION_FAILED naming the parameter', async () => {
    const [a, b] = await server.friends();
    await server.api('POST', `/api/messages/private/${b.id}`, { token: a.token, body: { content: 'hi' } });
    const history = `/api/messages/private/${b.id}`;
    for (const [query, field] of [
      ['limit[]=5', 'limit'],
      ['afterSeq[$gt]=0', 'afterSeq'],
      ['limit=1&limit=2', 'limit'],
      ['beforeSeq[0]=3', 'beforeSeq'],
    ] as const) {
      const res = await server.api('GET', `${history}?${query}`, { token: a.token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    for (const query of ['afterSeq=1.5', 'afterSeq=abc', 'limit=-1', 'beforeSeq=0x10', 'limit=true']) {
      const res = await server.api('GET', `${history}?${query}`, { token: a.token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const ok = await server.api('GET', `${history}?afterSeq=0&limit=5`, { token: a.token });
    expect(ok.status).toBe(200);
    expect(ok.body.messages).toHaveLength(1);
  });

  it('a malformed cursor answers 400 VALIDATION_FAILED, not an empty page', async () => {
    const a = await server.user();
    const created = await server.api('POST', '/api/groups', { token: a.token, body: { name: 'Crew' } });
    const res = await server.api('GET', `/api/groups/${created.body.group.id}/members?cursor=not-a-cursor`, {
      token: a.token,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('read receipts over REST', () => {
  it('take a JSON integer seq: "1" and true are refused and mark nothing', async () => {
    const [a, b] = await server.friends();
    const sent = await server.api('POST', `/api/messages/private/${b.id}`, {
      token: a.token,
      body: { content: 'hi' },
    });
    const conversationId = sent.body.message.conversationId;
    for (const seq of ['1', true, [1], null]) {
      const res = await server.api('POST', `/api/conversations/${conversationId}/read`, {
        token: b.token,
        body: { seq },
      });
      expect(res.status, JSON.stringify(seq)).toBe(400);
    }
    const list = await server.api('GET', '/api/conversations', { token: b.token });
    expect(list.body[0]).toMatchObject({ id: conversationId, unreadCount: 1, lastSeq: 1 });
  });
});

describe('caching', () => {
  it('answers that carry a token or private data say Cache-Control: no-store', async () => {
    const a = await server.user();
    const login = await server.api('POST', '/api/auth/login', {
      body: { email: a.email, password: a.password },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const me = await server.api('GET', '/api/users/me', { token: a.token });
    expect(me.headers.get('cache-control')).toBe('no-store');
    const refused = await server.api('GET', '/api/users/me');
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});

describe('oversized headers', () => {
  it('a 40 KB header answers 431 with the contract error body', async () => {
    const url = new URL(server.url);
    const answer = await new Promise<{ status: number; body: string; type: string | undefined }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: '/health',
            headers: { 'x-padding': 'a'.repeat(40 * 1024) },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => {
              body += String(chunk);
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect(answer.status).toBe(431);
    expect(answer.type).toContain('application/json');
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
    });
    // The server keeps serving.
    expect((await server.api('GET', '/health')).status).toBe(200);
  });
});

describe('browser origins', () => {
  it('CORS_ORIGIN applies to WebSocket-only clients too', async () => {
    const strict = await startServer({ config: { corsOrigins: ['https://chat.example'] } });
    try {
      const a = await strict.user();
      const attempt = (origin: string | undefined) =>
        new Promise<string>((resolve) => {
          const socket = connectClient(strict.url, {
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
            auth: { token: a.token },
            ...(origin && { extraHeaders: { origin } }),
          });
          socket.once('connect', () => {
            socket.disconnect();
            resolve('connected');
          });
          socket.once('connect_error', () => {
            socket.disconnect();
            resolve('refused');
          });
        });
      expect(await attempt('https://evil.example')).toBe('refused');
      expect(await attempt('https://chat.example')).toBe('connected');
      // No Origin header: not a browser, so origins do not apply.
      expect(await attempt(undefined)).toBe('connected');
      const preflight = await strict.api('GET', '/health', { headers: { origin: 'https://evil.example' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await strict.close();
    }
  });
});

describe('the event budget', () => {
  it('is one per user for their sockets and REST sends, answered 429 with Retry-After over REST', async () => {
    const limited = await startServer({
      config: { chat: { eventRateLimit: { perSecond: 2, burst: 2, burstWindowMs: 60_000 } } },
    });
    try {
      const [a, b] = await limited.friends();
      const socket = await limited.connect(a.token);
      const send = (content: string) =>
        new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
          socket.emit('private_message', { receiverId: b.id, content }, resolve),
        );
      expect((await send('s1')).ok).toBe(true);
      expect((await send('s2')).ok).toBe(true);
      const rest = (content: string) =>
        limited.api('POST', `/api/messages/private/${b.id}`, { token: a.token, body: { content } });
      expect((await rest('r1')).status).toBe(201);
      expect((await rest('r2')).status).toBe(201);
      const refused = await rest('r3');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.body.error.details.retryAfterMs).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await send('s3')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      const history = await limited.api('GET', `/api/messages/private/${b.id}`, { token: a.token });
      expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual([
        's1',
        's2',
        'r1',
        'r2',
      ]);
    } finally {
      await limited.close();
    }
  });
});

describe('login limits', () => {
  it("a stranger's wrong passwords never lock the owner out", async () => {
    const limited = await startServer({
      config: { trustProxy: 1, chat: { loginRateLimit: { points: 3, windowMs: 60_000 } } },
    });
    try {
      const owner = await limited.user();
      const login = (ip: string, password: string) =>
        limited.api('POST', '/api/auth/login', {
          headers: { 'x-forwarded-for': ip },
          body: { email: owner.email, password },
        });
      for (let i = 0; i < 10; i++)
        expect((await login('203.0.113.9', `guess number ${i}`)).status).not.toBe(200);
      const blocked = await login('203.0.113.9', owner.password);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.details.retryAfterMs).toBeGreaterThan(0);
      const own = await login('198.51.100.20', owner.password);
      expect(own.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
