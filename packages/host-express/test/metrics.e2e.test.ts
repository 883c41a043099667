/**
 * GET /metrics: off by default, on the main port with `metrics: true` (METRICS=true), on a
 * listener of its own with `metricsPort` (METRICS_PORT), one registry per host.
 */
import { memoryStore } from '@parley/chat-core';
import { createHost, hostConfig } from '@parley/host-express';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { nextEvent, startServer, type TestServer } from './helpers.js';

const started: TestServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((server) => server.close()));
});

async function start(options: Parameters<typeof startServer>[0]) {
  const server = await startServer(options);
  started.push(server);
  return server;
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([^{\s]+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const),
    );
    if (Object.entries(labels).every(([key, value]) => have[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('metrics', () => {
  it('are off unless asked for', async () => {
    const server = await start({});
    expect((await server.api('GET', '/metrics')).status).toBe(404);
    expect(server.host.metrics).toBeNull();
  });

  it("count connections, messages, deliveries, event timings, HTTP routes, rate limits and the store's failures", async () => {
    const server = await start({
      config: {
        metrics: true,
        authRateLimit: { points: 100_000, windowMs: 60_000 },
        chat: { loginRateLimit: { points: 1, windowMs: 60_000 } },
      },
    });
    const [a, b] = await server.friends();
    const receiver = await server.connect(b.token);
    const sender = await server.connect(a.token);
    const delivered = nextEvent(sender, 'message_delivered');
    receiver.on('new_private_message', (_message, ack?: () => void) => ack?.());
    const ack = await sender.emitWithAck('private_message', { receiverId: b.id, content: 'hi' });
    expect(ack.ok).toBe(true);
    await delivered;
    await sender.emitWithAck('sync', { conversationId: ack.data.message.conversationId, afterSeq: 0 });
    await server.api('GET', `/api/users/${b.id}`, { token: a.token });
    await server.api('GET', '/no/such/route/12345');
    // Login is limited per (email, IP) to 1 here: the second is refused.
    for (let i = 0; i < 2; i += 1)
      await server.api('POST', '/api/auth/login', { body: { email: a.email, password: 'wrong password!' } });
    const res = await server.api('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = String(res.body);
    expect(sample(text, 'parley_connections')).toBe(2);
    // No webhooks or push configured: nothing ever waits in the outbox.
    expect(sample(text, 'parley_outbox_pending')).toBe(0);
    expect(sample(text, 'parley_messages_total', { type: 'private' })).toBe(1);
    expect(sample(text, 'parley_messages_total', { type: 'group' })).toBe(0);
    expect(sample(text, 'parley_deliveries_total')).toBe(1);
    expect(
      sample(text, 'parley_event_duration_seconds_count', { event: 'private_message', outcome: 'ok' }),
    ).toBe(1);
    expect(sample(text, 'parley_event_duration_seconds_count', { event: 'sync', outcome: 'ok' })).toBe(1);
    // The route pattern, never the raw path (ids would explode the label set).
    expect(
      sample(text, 'parley_http_request_duration_seconds_count', { route: '/api/users/:id', status: '200' }),
    ).toBe(1);
    expect(text).not.toContain(b.id);
    expect(
      sample(text, 'parley_http_request_duration_seconds_count', { route: '(unmatched)', status: '404' }),
    ).toBe(1);
    expect(sample(text, 'parley_rate_limited_total', { scope: 'login' })).toBe(1);
    // Default Node metrics are there too.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    receiver.disconnect();
    sender.disconnect();
  });

  it('count what the store throws, by kind', async () => {
    const store = memoryStore();
    const server = await start({ store, config: { metrics: true } });
    const user = await server.user();
    const before = String((await server.api('GET', '/metrics')).body);
    expect(sample(before, 'parley_store_errors_total', { kind: 'internal' })).toBeUndefined();
    // The host hands the engine a counted view of this store: a failing call is counted and rethrown.
    const getById = store.users.getById;
    store.users.getById = async () => {
      throw new Error('disk on fire');
    };
    try {
      expect((await server.api('GET', '/api/users/me', { token: user.token })).status).toBe(500);
    } finally {
      store.users.getById = getById;
    }
    const after = String((await server.api('GET', '/metrics')).body);
    expect(sample(after, 'parley_store_errors_total', { kind: 'internal' })).toBeGreaterThanOrEqual(1);
    expect((await server.api('GET', '/api/users/me', { token: user.token })).status).toBe(200);
  });

  it('are served on a port of their own with metricsPort, not on the main port', async () => {
    const host = await createHost({
      config: hostConfig({
        nodeEnv: 'test',
        metricsPort: 0,
        chat: { jwtSecret: 'parley-metrics-test-0123456789abcdef' },
      }),
      store: memoryStore(),
      logger: pino({ level: 'silent' }),
    });
    try {
      const { url, metricsPort } = await host.listen(0, '127.0.0.1');
      expect(metricsPort).toBeGreaterThan(0);
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: object };
      expect(Object.keys(openapi.paths)).not.toContain('/metrics');
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('parley_connections');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
    } finally {
      await host.close();
    }
  });

  it('keep two hosts in one process apart', async () => {
    const one = await start({ config: { metrics: true } });
    const two = await start({ config: { metrics: true } });
    await one.api('GET', '/health');
    await one.api('GET', '/health');
    await two.api('GET', '/health');
    const count = async (server: TestServer) =>
      sample(
        String((await server.api('GET', '/metrics')).body),
        'parley_http_request_duration_seconds_count',
        {
          route: '/health',
        },
      );
    expect(await count(one)).toBe(2);
    expect(await count(two)).toBe(1);
  });
});
