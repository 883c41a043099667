/**
 * redisRateLimiter against a real Redis: one budget shared by every node, bursts, reset, and a
 * per-node memory budget (never an error, never unlimited) while Redis is unreachable.
 */
import type { RateRule } from '@parley/chat-core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisRateLimiter } from '../src/index.js';
import { deleteKeys, testClient, testPrefix, unreachableClient } from './redis.js';

const prefix = testPrefix('rl');
let client: Redis;
let down: Redis;

beforeAll(async () => {
  client = await testClient();
  down = unreachableClient();
});

afterAll(async () => {
  await deleteKeys(client, prefix);
  client.disconnect();
  down.disconnect();
});

const rule: RateRule = { points: 3, windowMs: 60_000 };
let n = 0;
const limiters = () => {
  const keyPrefix = `${prefix}${n++}`;
  return [redisRateLimiter({ client, keyPrefix }), redisRateLimiter({ client, keyPrefix })] as const;
};

describe('redisRateLimiter', () => {
  it('two nodes spend one budget', async () => {
    const [a, b] = limiters();
    expect((await a.consume('user:1', rule)).allowed).toBe(true);
    expect((await b.consume('user:1', rule)).allowed).toBe(true);
    expect(await a.consume('user:1', rule)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await b.consume('user:1', rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    // Another key has its own budget.
    expect((await b.consume('user:2', rule)).allowed).toBe(true);
  });

  it('a burst allowance is spent after the main budget, also across nodes', async () => {
    const [a, b] = limiters();
    const bursty: RateRule = { points: 2, windowMs: 60_000, burst: { points: 3, windowMs: 60_000 } };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await (i % 2 ? a : b).consume('k', bursty)).allowed);
    expect(answers).toEqual([true, true, true, true, true, false]);
  });

  it('reset forgets the key on every node', async () => {
    const [a, b] = limiters();
    for (let i = 0; i < 3; i++) await a.consume('login:x', rule);
    expect((await b.consume('login:x', rule)).allowed).toBe(false);
    await b.reset('login:x');
    expect((await a.consume('login:x', rule)).allowed).toBe(true);
  });

  it('with Redis unreachable it answers at once from a memory budget of this node', async () => {
    const limiter = redisRateLimiter({ client: down, keyPrefix: `${prefix}down` });
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await limiter.consume('k', rule)).allowed);
    expect(answers).toEqual([true, true, true, false]);
    await limiter.reset('k');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('without insurance a backend failure rejects, for the caller to fail open', async () => {
    const limiter = redisRateLimiter({ client: down, keyPrefix: `${prefix}bare`, insurance: false });
    await expect(limiter.consume('k', rule)).rejects.toThrow();
  });
});
