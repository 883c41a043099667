import { ChatError, type ChatStore, memoryStore } from '@parley/chat-core';
import { describe, expect, it } from 'vitest';
import { hostConfig, loadEnv } from '../src/env.js';
import { capturedLogger, startServer, useServer } from './helpers.js';

/** A memoryStore whose user lookups by id can be made to fail, so authentication itself breaks. */
function faultyStore() {
  const base = memoryStore();
  const faults = { getByIdExplodes: false, internalChatError: false };
  const users = new Proxy(base.users, {
    get(target, prop, receiver) {
      if (faults.internalChatError && prop === 'getById') {
        return async () => {
          throw new ChatError('INTERNAL', 'E11000 duplicate key in parley.users (chat-error internals)');
        };
      }
      if (faults.getByIdExplodes && prop === 'getById') {
        return async () => {
          throw new Error('MongoServerError: E11000 at 10.0.0.7:27017 (secret internals)');
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  const store = new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === 'users') return users;
      return Reflect.get(target, prop, receiver);
    },
  }) as ChatStore;
  return { store, faults };
}

const { logger, lines } = capturedLogger();
const { store, faults } = faultyStore();
const s = useServer({ store, logger });

describe('secrets in error logs', () => {
  it('a 500 logs its cause but neither the Authorization header nor a token query parameter', async () => {
    const u = await s.user();
    faults.getByIdExplodes = true;
    let res: Awaited<ReturnType<typeof s.api>>;
    try {
      res = await s.api('GET', `/api/users/me?token=${u.token}`, { token: u.token });
    } finally {
      faults.getByIdExplodes = false;
    }
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const logged = lines.join('\n');
    expect(logged).toContain('secret internals');
    expect(logged).not.toContain(u.token);
  });
});

describe('INTERNAL answers', () => {
  it('never carry the message of an INTERNAL ChatError thrown below, which is logged instead', async () => {
    const u = await s.user();
    faults.internalChatError = true;
    let res: Awaited<ReturnType<typeof s.api>>;
    try {
      res = await s.api('GET', '/api/users/me', { token: u.token });
    } finally {
      faults.internalChatError = false;
    }
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({ code: 'INTERNAL', message: 'Something went wrong' });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(lines.some((line) => line.includes('chat-error internals'))).toBe(true);
  });
});

describe('malformed requests', () => {
  it('a malformed percent-encoding in a path answers 400, not 500', async () => {
    const u = await s.user();
    const res = await s.api('GET', '/api/users/%E0%A4%A', { token: u.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('__proto__ in a JSON body or the query pollutes nothing', async () => {
    const u = await s.user();
    await s.api('PUT', '/api/users/me', {
      token: u.token,
      raw: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"bio":"x"}',
    });
    await s.api('GET', '/api/users/search?q=a&__proto__[polluted]=yes&constructor[prototype][polluted]=yes', {
      token: u.token,
    });
    await s.api('POST', '/api/friends/add', {
      token: u.token,
      raw: '{"__proto__":{"polluted":"yes"},"userId":"nobody"}',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await s.api('GET', '/api/users/me', { token: u.token })).status).toBe(200);
  });
});

describe('trust proxy', () => {
  it('X-Forwarded-For cannot dodge the per-IP limit while TRUST_PROXY is off', async () => {
    const limited = await startServer({ config: { authRateLimit: { points: 2, windowMs: 60_000 } } });
    try {
      const attempt = (ip: string) =>
        limited.api('POST', '/api/auth/login', {
          headers: { 'x-forwarded-for': ip },
          body: { email: 'who@example.test', password: 'whatever123' },
        });
      expect((await attempt('1.1.1.1')).status).toBe(401);
      expect((await attempt('2.2.2.2')).status).toBe(401);
      expect((await attempt('3.3.3.3')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('password change', () => {
  it('is rate limited per IP like login, answering 429 with Retry-After', async () => {
    const limited = await startServer({ config: { authRateLimit: { points: 2, windowMs: 60_000 } } });
    try {
      const u = await limited.user();
      const guess = (currentPassword: string) =>
        limited.api('PUT', '/api/users/me/password', {
          token: u.token,
          body: { currentPassword, newPassword: 'another long password' },
        });
      expect((await guess('wrong guess 1')).status).toBe(401);
      expect((await guess('wrong guess 2')).status).toBe(401);
      const third = await guess(u.password);
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('production rules for a config given in code', () => {
  it("refuses corsOrigins '*' and a missing JWT secret, as loadEnv does", () => {
    const chat = { jwtSecret: 'x'.repeat(40) };
    expect(() => hostConfig({ nodeEnv: 'production', corsOrigins: '*', chat })).toThrow(/corsOrigins/);
    expect(() => hostConfig({ nodeEnv: 'production', corsOrigins: ['https://a.example'] })).toThrow(
      /jwtSecret/,
    );
    const mail = { kind: 'smtp-url', url: 'smtp://mail.example:587' } as const;
    expect(() => hostConfig({ nodeEnv: 'production', corsOrigins: ['https://a.example'], chat })).toThrow(
      /mail/,
    );
    expect(
      hostConfig({ nodeEnv: 'production', corsOrigins: ['https://a.example'], chat, mail }).corsOrigins,
    ).toEqual(['https://a.example']);
  });
});

describe('TRUST_PROXY', () => {
  it('warns that true lets clients choose their IP, and not for a hop count', () => {
    const warned = (value: string) =>
      loadEnv({ TRUST_PROXY: value, JWT_SECRET: 'x'.repeat(40) }).warnings.some((w) =>
        w.includes('TRUST_PROXY'),
      );
    expect(warned('true')).toBe(true);
    expect(warned('1')).toBe(false);
  });
});
