/**
 * The outbox against a real host: a clientMsgId at creation, retries with the same id until
 * acknowledged, final refusals, RATE_LIMITED waits, storage across a reload, order per conversation.
 */
import {
  createParleyClient,
  localStorageOutbox,
  memoryOutboxStorage,
  type OutboxState,
  type WebStorageLike,
} from '@parley/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { befriend, clientPool, register, startHost, type TestHost, until } from './helpers.js';

let server: TestHost;
let limited: TestHost;
const pool = clientPool();
beforeAll(async () => {
  server = await startHost();
  limited = await startHost({
    config: { chat: { eventRateLimit: { perSecond: 2, burst: 2, burstWindowMs: 60_000 } } },
  });
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.close();
  await limited?.close();
});

function fakeLocalStorage(): WebStorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('outbox', () => {
  it('assigns the clientMsgId at creation and sends queued messages once connected', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    await befriend(a, b);
    const alice = pool.make(server.url, a.token, { autoConnect: false });
    const entry = alice.send({ to: b.id, content: 'written offline' });
    expect(entry).toMatchObject({ state: 'queued', conversationId: alice.conversationWith(b.id) });
    expect(entry.clientMsgId).toMatch(/^[0-9a-f-]{36}$/);
    expect(alice.pending(entry.conversationId).map((e) => e.clientMsgId)).toEqual([entry.clientMsgId]);
    alice.connect();
    await alice.outbox.idle();
    const stored = await b.rest.messages.privateHistory(a.id);
    expect(stored.messages.map((m) => m.clientMsgId)).toEqual([entry.clientMsgId]);
  });

  it('marks a refusal failed at once (final), and a retry keeps the id', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    const alice = pool.make(server.url, a.token);
    await alice.whenOnline();
    const entry = alice.send({ to: b.id, content: 'not friends yet' });
    await until(alice, () => alice.outbox.get(entry.clientMsgId)?.state === 'failed');
    expect(alice.outbox.get(entry.clientMsgId)).toMatchObject({
      attempts: 1,
      error: { code: 'NOT_FRIENDS' },
    });
    await befriend(a, b);
    alice.outbox.retry(entry.clientMsgId);
    await alice.outbox.idle();
    expect(alice.outbox.get(entry.clientMsgId)?.state).toMatch(/sent|delivered/);
    expect(alice.outbox.get(entry.clientMsgId)?.message?.clientMsgId).toBe(entry.clientMsgId);
  });

  it('retries with the same id across a drop: the server stores each send once', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    await befriend(a, b);
    const alice = pool.make(server.url, a.token);
    await alice.whenOnline();
    // Drop the connection right after the first frames leave: some acks are lost, the sends are not.
    const ids = Array.from({ length: 10 }, (_, i) => alice.send({ to: b.id, content: `m${i}` }).clientMsgId);
    server.host.io.in(`user:${a.id}`).disconnectSockets(true);
    await alice.outbox.idle();
    const { messages } = await b.rest.messages.privateHistory(a.id);
    expect(messages.map((m) => m.clientMsgId)).toEqual(ids);
    expect(messages.map((m) => m.content)).toEqual(ids.map((_, i) => `m${i}`));
  });

  it('waits retryAfterMs on RATE_LIMITED and then sends, in order', async () => {
    const a = await register(limited.url);
    const b = await register(limited.url);
    await befriend(a, b);
    const alice = pool.make(limited.url, a.token, { loadPresence: false });
    await alice.whenOnline();
    const waits: string[] = [];
    alice.on('outbox', ({ entry }) => {
      if (entry.error?.code === 'RATE_LIMITED' && entry.state === 'queued') waits.push(entry.clientMsgId);
    });
    const ids = Array.from({ length: 6 }, (_, i) => alice.send({ to: b.id, content: `r${i}` }).clientMsgId);
    await alice.outbox.idle();
    expect(waits.length).toBeGreaterThan(0);
    const { messages } = await b.rest.messages.privateHistory(a.id);
    expect(messages.map((m) => m.clientMsgId)).toEqual(ids);
  });

  it('keeps pending sends in storage across a reload (localStorage), and sends them with their ids', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    await befriend(a, b);
    const storage = fakeLocalStorage();
    const before = createParleyClient({
      url: server.url,
      token: a.token,
      autoConnect: false,
      storage: localStorageOutbox({ storage }),
    });
    const ids = [
      before.send({ to: b.id, content: 'one' }).clientMsgId,
      before.send({ to: b.id, content: 'two' }).clientMsgId,
    ];
    await before.outbox.ready;
    await before.close(); // the tab closes before anything was sent
    expect(Object.keys(JSON.parse(storage.data.get('parley:outbox') ?? '{}'))).toEqual(ids);

    const after = pool.make(server.url, a.token, { storage: localStorageOutbox({ storage }) });
    await after.outbox.ready;
    expect(after.outbox.entries().map((e) => e.clientMsgId)).toEqual(ids);
    await after.outbox.idle();
    const { messages } = await b.rest.messages.privateHistory(a.id);
    expect(messages.map((m) => m.clientMsgId)).toEqual(ids);
    expect(storage.data.has('parley:outbox')).toBe(false);
  });

  it('walks queued → sending → sent for a group send; a group refusal is final', async () => {
    const a = await register(server.url);
    const b = await register(server.url);
    await befriend(a, b);
    const { group } = await a.rest.groups.create({ name: 'G', memberIds: [b.id] });
    const c = await register(server.url);
    const alice = pool.make(server.url, a.token, { storage: memoryOutboxStorage() });
    const carol = pool.make(server.url, c.token);
    await Promise.all([alice.whenOnline(), carol.whenOnline()]);
    const states: OutboxState[] = [];
    alice.on('outbox', ({ entry }) => states.push(entry.state));
    alice.send({ groupId: group.id, content: 'hi all' });
    await alice.outbox.idle();
    expect(states).toEqual(['queued', 'sending', 'sent']);
    const refused = carol.send({ groupId: group.id, content: 'let me in' });
    await until(carol, () => carol.outbox.get(refused.clientMsgId)?.state === 'failed');
    expect(carol.outbox.get(refused.clientMsgId)?.error?.code).toBe('NOT_GROUP_MEMBER');
  });
});
