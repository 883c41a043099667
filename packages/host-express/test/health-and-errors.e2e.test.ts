import { type ChatStore, memoryStore } from '@parley/chat-core';
import { describe, expect, it } from 'vitest';
import { capturedLogger, startServer, useServer } from './helpers.js';

/** A memoryStore whose ping or user lookups can be made to fail, like a database going away. */
function faultyStore() {
  const base = memoryStore();
  const faults = { pingDown: false, usersExplode: false };
  const users = new Proxy(base.users, {
    get(target, prop, receiver) {
      if (faults.usersExplode && prop === 'getByEmail') {
        return async () => {
          throw new Error('connection reset by peer at 10.0.0.7:27017 (secret internals)');
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  const store = new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === 'users') return users;
      if (prop === 'ping') {
        return async () => {
          if (faults.pingDown) throw new Error('store unreachable');
          await target.ping();
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as ChatStore;
  return { store, faults };
}

const { logger, lines } = capturedLogger();

const { store, faults } = faultyStore();
const s = useServer({
  store,
  logger,
  config: { bodyLimit: '2kb', corsOrigins: ['https://app.example.com'] },
});

describe('GET /health', () => {
  it('answers 200 { status: ok, uptime, store: up, storeKind } without a token', async () => {
    const res = await s.api('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', uptime: expect.any(Number), store: 'up', storeKind: 'memory' });
  });

  it('answers 503 { status: degraded, store: down } while the store does not answer, then recovers', async () => {
    faults.pingDown = true;
    try {
      const res = await s.api('GET', '/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'degraded',
        uptime: expect.any(Number),
        store: 'down',
        storeKind: 'memory',
      });
    } finally {
      faults.pingDown = false;
    }
    expect((await s.api('GET', '/health')).status).toBe(200);
  });
});

describe('errors', () => {
  it('malformed JSON answers 400 VALIDATION_FAILED and changes nothing', async () => {
    const u = await s.user('Solid');
    const res = await s.api('PUT', '/api/users/me', { token: u.token, raw: '{"nickname": "Broken",' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((await s.api('GET', '/api/users/me', { token: u.token })).body.user.nickname).toBe('Solid');
  });

  it('a body over the limit answers 413 PAYLOAD_TOO_LARGE', async () => {
    const u = await s.user();
    const res = await s.api('PUT', '/api/users/me', { token: u.token, body: { bio: 'x'.repeat(4000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await s.api('GET', '/api/users/me', { token: u.token })).body.user.bio).toBeNull();
  });

  it('a JSON array or a non-JSON body answers 400 with details, never 500', async () => {
    const u = await s.user();
    const array = await s.api('POST', '/api/friends/add', { token: u.token, raw: '[1,2]' });
    expect(array.status).toBe(400);
    const text = await s.api('POST', '/api/friends/add', {
      token: u.token,
      raw: 'userId=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect(text.body.error.details).toBeDefined();
  });

  it('an unknown route answers JSON 404 NOT_FOUND', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/users/me'],
      ['GET', '/no-such-page'],
    ] as const) {
      const res = await s.api(method, path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('with WEB_APP=false, / is an unknown route too (API-only deployments)', async () => {
    const apiOnly = await startServer({ config: { webApp: false } });
    try {
      const res = await apiOnly.api('GET', '/');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect((await apiOnly.api('GET', '/invite/some-token')).status).toBe(404);
    } finally {
      await apiOnly.close();
    }
  });

  it('an unexpected failure answers 500 INTERNAL with a generic message, logged with its cause', async () => {
    const u = await s.user();
    faults.usersExplode = true;
    let res: Awaited<ReturnType<typeof s.api>>;
    try {
      res = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    } finally {
      faults.usersExplode = false;
    }
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
    expect(lines.some((line) => line.includes('secret internals'))).toBe(true);
    expect((await s.api('GET', '/health')).status).toBe(200);
  });

  it('expired tokens answer 401; the server keeps serving after every refusal', async () => {
    const res = await s.api('GET', '/api/friends', { headers: { authorization: 'Bearer a.b.c' } });
    expect(res.status).toBe(401);
    expect((await s.api('GET', '/health')).status).toBe(200);
  });
});

describe('HTTP hygiene', () => {
  it('answers CORS for allowed origins only, and sets helmet headers', async () => {
    const allowed = await fetch(`${s.url}/health`, { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await fetch(`${s.url}/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('x-powered-by')).toBeNull();
    const preflight = await fetch(`${s.url}/api/friends/add`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('request logs never carry the Authorization header or a token query parameter', async () => {
    const u = await s.user();
    await s.api('GET', '/api/users/me', { token: u.token });
    await fetch(`${s.url}/api/invites/x?token=${u.token}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const logged = lines.join('\n');
    expect(logged).toContain('/api/users/me');
    expect(logged).not.toContain(u.token);
    expect(logged).toContain('[Redacted]');
  });
});

describe('per-IP rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once the budget is spent', async () => {
    const limited = await startServer({ config: { authRateLimit: { points: 2, windowMs: 60_000 } } });
    try {
      const attempt = () =>
        limited.api('POST', '/api/auth/login', {
          body: { email: 'who@example.test', password: 'whatever123' },
        });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      const third = await attempt();
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
      const retryAfter = Number(third.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Other account routes keep their own budgets; the rest of the API is not limited.
      expect(
        (await limited.api('POST', '/api/auth/password/forgot', { body: { email: 'who@example.test' } }))
          .status,
      ).toBe(202);
      expect((await limited.api('GET', '/health')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
