/**
 * redisPresence against a real Redis: the PresenceStore contract (as memoryPresence keeps it) held
 * across several nodes, a dead node's connections expiring with its heartbeat, recovery after Redis
 * lost its data, and behaviour while Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisPresenceOptions, type RedisPresenceStore, redisPresence } from '../src/index.js';
import { deleteKeys, eventually, testClient, testPrefix, unreachableClient } from './redis.js';

const prefix = testPrefix('presence');
let client: Redis;
const stores: RedisPresenceStore[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  client = await testClient();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  for (const extra of clients) extra.disconnect();
  await deleteKeys(client, prefix);
  expect(await client.keys(`${prefix}*`)).toEqual([]);
  client.disconnect();
});

let n = 0;
/** A node's store; every test has its own key space under the file's prefix. */
function node(space: string, options: Partial<RedisPresenceOptions> = {}): RedisPresenceStore {
  const store = redisPresence({ client, keyPrefix: `${prefix}${space}:`, ...options });
  stores.push(store);
  return store;
}
const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);
const space = () => `t${n++}`;

describe('redisPresence, the PresenceStore contract on one node', () => {
  it('counts connections per user: online on the first, offline after the last, lastSeen then', async () => {
    const presence = node(space());
    expect(await presence.connect('u1', 'c1', at(0))).toEqual({ becameOnline: true });
    expect(await presence.connect('u1', 'c2', at(1))).toEqual({ becameOnline: false });
    expect(await presence.isOnline('u1')).toBe(true);
    expect(await presence.disconnect('u1', 'c1', at(2))).toEqual({ becameOffline: false });
    expect(await presence.isOnline('u1')).toBe(true);
    expect(await presence.lastSeen(['u1'])).toEqual(new Map());
    expect(await presence.disconnect('u1', 'c2', at(3))).toEqual({ becameOffline: true });
    expect(await presence.isOnline('u1')).toBe(false);
    expect(await presence.lastSeen(['u1', 'nobody'])).toEqual(new Map([['u1', at(3)]]));
  });

  it('forgetting an unknown connection changes nothing', async () => {
    const presence = node(space());
    await presence.connect('u1', 'c1', at(0));
    expect(await presence.disconnect('u1', 'other', at(1))).toEqual({ becameOffline: false });
    expect(await presence.disconnect('u2', 'c1', at(1))).toEqual({ becameOffline: false });
    expect(await presence.isOnline('u1')).toBe(true);
    expect(await presence.lastSeen(['u1', 'u2'])).toEqual(new Map());
  });

  it('onlineAmong answers for many users at once, the empty list included', async () => {
    const presence = node(space());
    await presence.connect('a', 'a1', at(0));
    await presence.connect('c', 'c1', at(0));
    expect(await presence.onlineAmong(['a', 'b', 'c', 'd'])).toEqual(new Set(['a', 'c']));
    expect(await presence.onlineAmong([])).toEqual(new Set());
  });
});

describe('redisPresence across nodes', () => {
  it('one count per user over every node: offline only when the last node lets go', async () => {
    const s = space();
    const [a, b, c] = [node(s), node(s), node(s)];
    expect(await a.connect('u', 'a1', at(0))).toEqual({ becameOnline: true });
    expect(await b.connect('u', 'b1', at(1))).toEqual({ becameOnline: false });
    expect(await c.isOnline('u')).toBe(true);
    expect(await a.disconnect('u', 'a1', at(2))).toEqual({ becameOffline: false });
    expect(await c.onlineAmong(['u'])).toEqual(new Set(['u']));
    expect(await b.disconnect('u', 'b1', at(3))).toEqual({ becameOffline: true });
    expect(await c.isOnline('u')).toBe(false);
    expect(await c.lastSeen(['u'])).toEqual(new Map([['u', at(3)]]));
  });

  it('a node that dies without a word stops counting once its heartbeat key expires', async () => {
    const s = space();
    const own = await testClient();
    clients.push(own);
    const doomed = node(s, { client: own, heartbeatMs: 50, ttlMs: 300 });
    const survivor = node(s, { heartbeatMs: 50, ttlMs: 300 });
    await doomed.connect('u', 'd1', at(0));
    await survivor.connect('v', 's1', at(0));
    // Several heartbeats later it still counts: the heartbeat renews the key.
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await survivor.isOnline('u')).toBe(true);
    own.disconnect(); // the process is gone: no disconnect, no heartbeat
    const took = await eventually(
      async () => !(await survivor.isOnline('u')),
      2000,
      'the dead node stops counting',
    );
    expect(took).toBeLessThanOrEqual(1000);
    expect(await survivor.isOnline('v')).toBe(true);
    // The dead node's entry is gone, so the user's next connection is a first one.
    expect(await survivor.connect('u', 's2', at(1))).toEqual({ becameOnline: true });
  });

  it('close() takes this node’s connections out at once and is safe twice', async () => {
    const s = space();
    const leaving = node(s);
    const staying = node(s);
    await leaving.connect('u', 'l1', at(0));
    expect(await staying.isOnline('u')).toBe(true);
    await leaving.close();
    await leaving.close();
    expect(await staying.isOnline('u')).toBe(false);
  });

  it('after Redis lost its data, the next heartbeat registers this node’s connections again', async () => {
    const s = space();
    const presence = node(s, { heartbeatMs: 50, ttlMs: 300 });
    await presence.connect('u', 'c1', at(0));
    await presence.connect('u', 'c2', at(0));
    await presence.disconnect('u', 'c2', at(1));
    await deleteKeys(client, `${prefix}${s}:`); // as a restart of a Redis without persistence would
    expect(await presence.isOnline('u')).toBe(false);
    await eventually(() => presence.isOnline('u'), 1000, 're-registered');
    // Only the connection still open came back.
    expect(await client.hkeys(`${prefix}${s}:user:u`)).toEqual(['c1']);
  });
});

describe('redisPresence while Redis is unreachable', () => {
  it('writes reject (the caller logs), reads of many users answer nobody, and nothing throws later', async () => {
    const down = unreachableClient();
    clients.push(down);
    const presence = redisPresence({
      client: down,
      keyPrefix: `${prefix}${space()}:`,
      heartbeatMs: 50,
      ttlMs: 300,
    });
    stores.push(presence);
    await expect(presence.connect('u', 'c1', at(0))).rejects.toThrow();
    await expect(presence.isOnline('u')).rejects.toThrow();
    expect(await presence.onlineAmong(['u'])).toEqual(new Set());
    expect(await presence.lastSeen(['u'])).toEqual(new Map());
    await expect(presence.disconnect('u', 'c1', at(1))).rejects.toThrow();
    // Heartbeats keep failing quietly (a process-level unhandled rejection would fail this file).
    await new Promise((resolve) => setTimeout(resolve, 150));
    await presence.close();
  });

  it('a disconnect Redis missed is replayed once it answers again', async () => {
    const s = space();
    const flaky = await testClient();
    clients.push(flaky);
    const presence = node(s, { client: flaky, heartbeatMs: 50, ttlMs: 2000 });
    const other = node(s);
    await presence.connect('u', 'c1', at(0));
    flaky.disconnect();
    await expect(presence.disconnect('u', 'c1', at(5))).rejects.toThrow();
    expect(await other.isOnline('u')).toBe(true); // Redis did not hear it yet
    await flaky.connect();
    await eventually(async () => !(await other.isOnline('u')), 1000, 'the missed disconnect replayed');
    expect(await other.lastSeen(['u'])).toEqual(new Map([['u', at(5)]]));
  });
});
