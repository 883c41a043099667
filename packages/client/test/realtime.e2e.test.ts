/**
 * The realtime session and the local view against a real host: token in auth.token, resume by seq
 * after a drop, gap detection on live events, token refresh, dedupe, recalls, unread counts,
 * receipts, typing throttle and presence.
 */
import type { MessageView } from '@parley/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  befriend,
  clientPool,
  reach,
  register,
  startHost,
  type TestHost,
  type TestUser,
  until,
} from './helpers.js';

let server: TestHost;
const pool = clientPool();
beforeAll(async () => {
  server = await startHost();
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.close();
});

async function friends(): Promise<[TestUser, TestUser]> {
  const a = await register(server.url);
  const b = await register(server.url);
  await befriend(a, b);
  return [a, b];
}

const seqs = (messages: readonly MessageView[]) => messages.map((m) => m.seq);

describe('realtime session', () => {
  it('connects with auth.token and goes online after resuming', async () => {
    const [a] = await friends();
    const client = pool.make(server.url, a.token);
    const states: string[] = [];
    client.on('connection', ({ state }) => states.push(state));
    await client.whenOnline();
    expect(client.userId).toBe(a.id);
    expect(states).toEqual(['resuming', 'online']);
    const [socketId] = [...server.host.io.sockets.sockets.keys()].filter(
      (id) => server.host.io.sockets.sockets.get(id)?.handshake.auth.token === a.token,
    );
    expect(socketId).toBeDefined();
  });

  it('reports a refused token as unauthorized, and connects with the one refreshToken gives', async () => {
    const [a] = await friends();
    const refused = pool.make(server.url, 'not-a-jwt');
    await reach(refused, 'unauthorized');
    const asked: string[] = [];
    const refreshed = pool.make(server.url, 'not-a-jwt', {
      refreshToken: (code) => {
        asked.push(code);
        return a.token;
      },
    });
    await refreshed.whenOnline();
    expect(asked).toEqual(['UNAUTHORIZED']);
    expect(refreshed.userId).toBe(a.id);
  });

  it('resumes by seq after a drop: what was sent while offline arrives once, in order', async () => {
    const [a, b] = await friends();
    const bob = pool.make(server.url, b.token);
    await bob.whenOnline();
    await a.rest.messages.sendPrivate(b.id, { content: 'before' });
    const conversationId = bob.conversationWith(a.id);
    await until(bob, () => bob.messages(conversationId).length === 1);
    // Cut Bob's connection on the server side; the SDK reconnects by itself.
    const offline = reach(bob, 'offline');
    server.host.io.in(`user:${b.id}`).disconnectSockets(true);
    await offline;
    for (let i = 0; i < 5; i += 1) await a.rest.messages.sendPrivate(b.id, { content: `while away ${i}` });
    await until(bob, () => bob.state === 'online' && bob.messages(conversationId).length === 6);
    expect(seqs(bob.messages(conversationId))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(bob.conversation(conversationId)).toMatchObject({ heldSeq: 6, lastSeq: 6, unreadCount: 6 });
  });

  it('fills a live gap: a message with seq N+2 after N makes it sync', async () => {
    const [a, b] = await friends();
    const bob = pool.make(server.url, b.token);
    await bob.whenOnline();
    const conversationId = bob.conversationWith(a.id);
    // Bob's sockets leave his room for one message, so it never reaches him live.
    server.host.io.in(`user:${b.id}`).socketsLeave(`user:${b.id}`);
    await a.rest.messages.sendPrivate(b.id, { content: 'missed' });
    for (const socket of server.host.io.sockets.sockets.values())
      if (socket.handshake.auth.token === b.token) socket.join(`user:${b.id}`);
    await a.rest.messages.sendPrivate(b.id, { content: 'live' });
    await until(bob, () => bob.messages(conversationId).length === 2);
    expect(bob.messages(conversationId).map((m) => m.content)).toEqual(['missed', 'live']);
  });

  it('setToken reconnects with the new token and keeps the view', async () => {
    const [a, b] = await friends();
    const alice = pool.make(server.url, a.token);
    await alice.whenOnline();
    const { token } = await a.rest.users.changePassword({
      currentPassword: a.password,
      newPassword: 'another horse battery',
    });
    // The old token is revoked: the server ends the session; the new one brings it back.
    alice.setToken(token);
    await until(alice, () => alice.state === 'online');
    const entry = alice.send({ to: b.id, content: 'after the refresh' });
    await until(
      alice,
      () =>
        alice.outbox.get(entry.clientMsgId)?.state !== 'queued' &&
        alice.outbox.get(entry.clientMsgId)?.state !== 'sending',
    );
    expect(alice.outbox.get(entry.clientMsgId)?.state).toMatch(/sent|delivered|read/);
  });
});

describe('local view', () => {
  it('never shows a message twice and keeps seq order (live, sync and own acks together)', async () => {
    const [a, b] = await friends();
    const alice = pool.make(server.url, a.token);
    const bob = pool.make(server.url, b.token);
    await Promise.all([alice.whenOnline(), bob.whenOnline()]);
    const conversationId = alice.conversationWith(b.id);
    for (let i = 0; i < 10; i += 1) {
      alice.send({ to: b.id, content: `a${i}` });
      bob.send({ to: a.id, content: `b${i}` });
    }
    await Promise.all([alice.outbox.idle(), bob.outbox.idle()]);
    await until(alice, () => alice.messages(conversationId).length === 20);
    await until(bob, () => bob.messages(conversationId).length === 20);
    // A resume on top brings the same messages again: nothing is added.
    await alice.resync();
    for (const client of [alice, bob]) {
      const messages = client.messages(conversationId);
      expect(seqs(messages)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(messages.map((m) => m.id)).size).toBe(20);
    }
    expect(alice.pending(conversationId)).toEqual([]);
  });

  it('applies recalls, counts unread, clears them on markRead, and shows delivered then read', async () => {
    const [a, b] = await friends();
    const alice = pool.make(server.url, a.token);
    const bob = pool.make(server.url, b.token);
    await Promise.all([alice.whenOnline(), bob.whenOnline()]);
    const conversationId = alice.conversationWith(b.id);
    const states: string[] = [];
    const first = alice.send({ to: b.id, content: 'hello' });
    alice.on('outbox', ({ entry }) => {
      if (entry.clientMsgId === first.clientMsgId) states.push(entry.state);
    });
    await until(alice, () => alice.outbox.get(first.clientMsgId)?.state === 'delivered');
    alice.send({ to: b.id, content: 'oops' });
    await until(bob, () => bob.messages(conversationId).length === 2);
    expect(bob.conversation(conversationId)?.unreadCount).toBe(2);

    const oops = bob.messages(conversationId)[1] as MessageView;
    const tombstone = await alice.recall(oops.id);
    expect(tombstone).toMatchObject({ recalled: true, content: '' });
    await until(bob, () => bob.messages(conversationId)[1]?.recalled === true);

    await bob.markRead(conversationId);
    expect(bob.conversation(conversationId)?.unreadCount).toBe(0);
    await until(alice, () => alice.messages(conversationId).every((m) => m.status === 'read'));
    expect(alice.outbox.get(first.clientMsgId)).toBeUndefined(); // read: the outbox is done with it
    expect(states).toEqual(['sending', 'sent', 'delivered', 'read'].slice(states[0] === 'sending' ? 0 : 1));
  });

  it('loads older history before the oldest held message', async () => {
    const [a, b] = await friends();
    for (let i = 0; i < 30; i += 1) await a.rest.messages.sendPrivate(b.id, { content: `m${i}` });
    const bob = pool.make(server.url, b.token, { syncPageSize: 10 });
    await bob.whenOnline();
    const conversationId = bob.conversationWith(a.id);
    expect(seqs(bob.messages(conversationId))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await bob.loadOlder(conversationId)).toBe(0);
  });

  it('typing: one start per throttle window, a stop after idling; the peer sees it and it ends', async () => {
    const [a, b] = await friends();
    const typing = { throttleMs: 400, idleMs: 300, expireMs: 2000 };
    const alice = pool.make(server.url, a.token, { typing });
    const bob = pool.make(server.url, b.token, { typing });
    await Promise.all([alice.whenOnline(), bob.whenOnline()]);
    const frames: boolean[] = [];
    const peer = [...server.host.io.sockets.sockets.values()].find((s) => s.handshake.auth.token === a.token);
    peer?.onAny((event: string, payload: { isTyping?: boolean }) => {
      if (event === 'typing_status') frames.push(payload.isTyping === true);
    });
    const conversationId = alice.conversationWith(b.id);
    const seen: string[][] = [];
    bob.on('typing', ({ userIds }) => seen.push(userIds));
    alice.typing(conversationId);
    alice.typing(conversationId);
    alice.typing(conversationId);
    await until(bob, () => seen.length === 2, 5000, 'start and stop');
    expect(seen).toEqual([[a.id], []]);
    expect(frames).toEqual([true, false]);
  });

  it('presence: a friend going online and offline', async () => {
    const [a, b] = await friends();
    const alice = pool.make(server.url, a.token);
    await alice.whenOnline();
    expect(alice.presence(b.id)?.status).toBe('offline');
    const bob = pool.make(server.url, b.token);
    await until(alice, () => alice.presence(b.id)?.status === 'online');
    await bob.close();
    await until(alice, () => alice.presence(b.id)?.status === 'offline');
  });
});
