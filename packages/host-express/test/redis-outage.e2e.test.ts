/**
 * Cluster mode while Redis is away: a host on a Redis server of this test's own (a child process
 * on a free port) keeps serving REST and its own sockets when that Redis is killed, says
 * `redis: 'down'` on /health, and recovers by itself when Redis is back: health, cross-process
 * state (presence re-registered by the heartbeat) and shared rate limits, with no restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWithAck, nextEvent, startServer, type TestServer } from './helpers.js';

let port = 0;
let redis: ChildProcess | null = null;
let server: TestServer;
const prefix = `parley-test:outage:${process.pid}:`;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: found } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return found;
}

async function startRedis(): Promise<void> {
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  redis = child;
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', () => reject(new Error(`redis-server exited:\n${output}`)));
  });
}

async function killRedis(): Promise<void> {
  const child = redis;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** Polls `check` every 50 ms until it holds; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const redisHealth = async () => (await server.api('GET', '/health')).body.redis as string;

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  server = await startServer({
    config: {
      redisUrl: `redis://127.0.0.1:${port}`,
      redisKeyPrefix: prefix,
      chat: { privateMessagePolicy: 'anyone' },
    },
  });
});

afterAll(async () => {
  await server?.close();
  await killRedis();
});

describe('a cluster node while Redis is down', () => {
  it('keeps serving, reports redis down, and recovers by itself when Redis is back', async () => {
    expect((await server.api('GET', '/health')).body).toMatchObject({ status: 'ok', redis: 'up' });
    const ann = await server.user('Ann');
    const ben = await server.user('Ben');
    const annSocket = await server.connect(ann.token);
    const benSocket = await server.connect(ben.token);
    const peek = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    peek.on('error', () => {});
    await peek.connect();
    const annKey = `${prefix}presence:user:${ann.id}`;
    await until(async () => (await peek.hlen(annKey)) === 1, 2000, 'Ann counted in Redis');
    peek.disconnect();

    await killRedis();
    await until(async () => (await redisHealth()) === 'down', 5000, '/health says redis down');
    const health = await server.api('GET', '/health');
    expect(health.status).toBe(200); // the store is up: the node stays in rotation

    // REST (the account routes' and the event budgets' rate limits included) and this node's
    // own sockets go on without Redis.
    const cat = await server.user('Cat');
    const login = await server.api('POST', '/api/auth/login', {
      body: { email: cat.email, password: cat.password },
    });
    expect(login.status).toBe(200);
    const arrived = nextEvent<{ content: string }>(benSocket, 'new_private_message');
    const sent = await emitWithAck<{ ok: boolean }>(annSocket, 'private_message', {
      receiverId: ben.id,
      content: 'while Redis is down',
    });
    expect(sent.ok).toBe(true);
    expect((await arrived).content).toBe('while Redis is down');
    const friends = await server.api('GET', '/api/friends', { token: ann.token });
    expect(friends.status).toBe(200);

    // Redis comes back empty (nothing was saved): the node reconnects and re-registers Ann.
    await startRedis();
    await until(async () => (await redisHealth()) === 'up', 10_000, '/health says redis up again');
    const again = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    try {
      await until(async () => (await again.hlen(annKey)) === 1, 8000, 'Ann re-registered by the heartbeat');
      const after = nextEvent<{ content: string }>(benSocket, 'new_private_message');
      await emitWithAck(annSocket, 'private_message', { receiverId: ben.id, content: 'Redis is back' });
      expect((await after).content).toBe('Redis is back');
      // The shared budgets are in Redis again.
      await server.api('POST', '/api/auth/login', { body: { email: cat.email, password: 'wrong one' } });
      await until(
        async () => (await again.keys(`${prefix}rl*`)).length > 0,
        2000,
        'rate limits in Redis again',
      );
    } finally {
      again.disconnect();
    }
  }, 40_000);
});
