import type { MessageView } from '@parley/chat-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Answer,
  barrier,
  befriend,
  type ClientSocket,
  connect,
  next,
  record,
  registerUser,
  request,
  startServer,
  type TestUser,
  useServer,
} from './helpers.js';

// A generous budget: the validation table sends many events from one socket.
const server = useServer({
  config: { eventRateLimit: { perSecond: 1000, burst: 200, burstWindowMs: 1000 } },
});

async function friends(): Promise<{ alice: TestUser; bob: TestUser }> {
  const alice = await registerUser(server.engine, 'alice');
  const bob = await registerUser(server.engine, 'bob');
  await befriend(server.engine, alice, bob);
  return { alice, bob };
}

describe('private messages', () => {
  it('delivers end to end: ack to the sender, message to the receiver, receipt back to the sender', async () => {
    const { alice, bob } = await friends();
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    bobSocket.on('new_private_message', (_message, ack) => ack?.());
    const incoming = next<MessageView>(bobSocket, 'new_private_message');
    const delivered = next<{ messageId: string; userId: string; seq: number }>(
      aliceSocket,
      'message_delivered',
    );

    const answer = await request<Answer<{ message: MessageView }>>(aliceSocket, 'private_message', {
      receiverId: bob.id,
      content: 'hello bob',
      clientMsgId: 'c-1',
    });
    if (!answer.ok) throw new Error(answer.error.code);
    expect(answer.data.message).toMatchObject({
      senderId: alice.id,
      receiverId: bob.id,
      content: 'hello bob',
      seq: 1,
    });
    expect(await incoming).toMatchObject({ id: answer.data.message.id, content: 'hello bob' });
    expect(await delivered).toMatchObject({ messageId: answer.data.message.id, userId: bob.id, seq: 1 });
  });

  it("reaches the sender's other sockets but not the sending one", async () => {
    const { alice, bob } = await friends();
    const phone = await connect(server, alice.token);
    const laptop = await connect(server, alice.token);
    await connect(server, bob.token);
    const phoneEvents = record(phone);
    const echo = next<MessageView>(laptop, 'new_private_message');
    const answer = await request<Answer<{ message: MessageView }>>(phone, 'private_message', {
      receiverId: bob.id,
      content: 'from my phone',
    });
    expect(answer.ok).toBe(true);
    expect((await echo).content).toBe('from my phone');
    await barrier(phone);
    expect(phoneEvents.map((e) => e.name)).not.toContain('new_private_message');
  });

  it('marks delivered from message_status_update and relays read receipts', async () => {
    const { alice, bob } = await friends();
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    const sent = await server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'ping' });
    const delivered = next<{ messageId: string }>(aliceSocket, 'message_delivered');
    expect(
      await request<Answer>(bobSocket, 'message_status_update', {
        messageId: sent.message.id,
        status: 'delivered',
      }),
    ).toEqual({ ok: true, data: {} });
    expect((await delivered).messageId).toBe(sent.message.id);
    const read = next<{ messageId: string; readerId: string }>(aliceSocket, 'message_read');
    await request(bobSocket, 'message_status_update', { messageId: sent.message.id, status: 'read' });
    expect(await read).toMatchObject({ messageId: sent.message.id, readerId: bob.id });
  });

  it('emits chat_error to the socket when a failing event has no ack', async () => {
    const alice = await registerUser(server.engine);
    const stranger = await registerUser(server.engine);
    const socket = await connect(server, alice.token);
    const error = next(socket, 'chat_error');
    socket.emit('private_message', { receiverId: stranger.id, content: 'hi' });
    expect(await error).toEqual({
      event: 'private_message',
      code: 'NOT_FRIENDS',
      message: expect.any(String),
    });
  });

  it('answers INTERNAL with a generic message, logging the cause without leaking it', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, alice.token);
    const spy = vi
      .spyOn(server.engine.messages, 'sync')
      .mockRejectedValueOnce(new Error('mongo at 10.0.0.3 said no'));
    const answer = await request<Answer>(socket, 'sync', { conversationId: 'p:a:b', afterSeq: 0 });
    spy.mockRestore();
    expect(answer).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong' } });
    expect(JSON.stringify(answer)).not.toContain('10.0.0.3');
    expect(
      server.logs.some(
        (l) => l.level === 'error' && String((l.obj as { err?: Error }).err).includes('10.0.0.3'),
      ),
    ).toBe(true);
  });

  it('recalls a message for every party', async () => {
    const { alice, bob } = await friends();
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    const sent = await server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'oops' });
    const recalled = next<{ messageId: string; by: string }>(bobSocket, 'message_recalled');
    const answer = await request<Answer<{ message: MessageView }>>(aliceSocket, 'recall_message', {
      messageId: sent.message.id,
    });
    expect(answer.ok && answer.data.message.recalled).toBe(true);
    expect(await recalled).toMatchObject({ messageId: sent.message.id, by: alice.id });
  });
});

describe('sync', () => {
  it('returns the messages missed while offline, by seq', async () => {
    const { alice, bob } = await friends();
    const first = await server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'one' });
    await server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'two' });
    await server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'three' });
    const bobSocket = await connect(server, bob.token);
    const answer = await request<Answer<{ messages: MessageView[]; hasMore: boolean }>>(bobSocket, 'sync', {
      conversationId: first.message.conversationId,
      afterSeq: 1,
    });
    if (!answer.ok) throw new Error(answer.error.code);
    expect(answer.data.messages.map((m) => [m.seq, m.content])).toEqual([
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(answer.data.hasMore).toBe(false);
    const page = await request<Answer<{ messages: MessageView[]; hasMore: boolean }>>(bobSocket, 'sync', {
      conversationId: first.message.conversationId,
      afterSeq: 0,
      limit: 1,
    });
    expect(page.ok && page.data).toMatchObject({ messages: [{ seq: 1 }], hasMore: true });
  });
});

describe('typing', () => {
  it('relays typing to the peer', async () => {
    const { alice, bob } = await friends();
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await connect(server, bob.token);
    const typing = next(bobSocket, 'typing_status_update');
    expect(await request(aliceSocket, 'typing_status', { to: bob.id, isTyping: true })).toEqual({
      ok: true,
      data: {},
    });
    expect(await typing).toEqual({ from: alice.id, isTyping: true });
  });
});

describe('payload validation', () => {
  const nonObjects: unknown[] = ['hello', 42, ['array'], null, true];
  const bad: Record<string, unknown[]> = {
    private_message: [
      {},
      { receiverId: 'x' },
      { content: 'hi' },
      { receiverId: 1, content: 'hi' },
      { receiverId: 'x', content: 5 },
      { receiverId: 'x', content: 'hi', contentType: 'gif' },
    ],
    group_message: [
      {},
      { groupId: 'g' },
      { groupId: 'g', content: 'x', mentions: 'all' },
      { groupId: 'g', content: 'x', mentionAll: 'yes' },
    ],
    message_status_update: [
      {},
      { messageId: 'm' },
      { messageId: 'm', status: 'sent' },
      { messageId: 3, status: 'read' },
    ],
    typing_status: [
      {},
      { to: 'u' },
      { isTyping: true },
      { to: 'u', groupId: 'g', isTyping: true },
      { to: 'u', isTyping: 'yes' },
    ],
    join_group_room: [{}, { groupId: '' }, { groupId: 7 }],
    recall_message: [{}, { messageId: null }],
    sync: [
      {},
      { conversationId: 'c' },
      { conversationId: 'c', afterSeq: -1 },
      { conversationId: 'c', afterSeq: 1.5 },
      { conversationId: 'c', afterSeq: '3' },
    ],
  };

  let socket: ClientSocket;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    ({ alice, bob } = await friends());
    socket = await connect(server, alice.token);
  });

  for (const [event, payloads] of Object.entries(bad)) {
    it(`refuses bad ${event} payloads with VALIDATION_FAILED`, async () => {
      for (const payload of [...nonObjects, ...payloads]) {
        const answer = await request<Answer>(socket, event, payload);
        expect(answer, `${event} ${JSON.stringify(payload)}`).toMatchObject({
          ok: false,
          error: { code: 'VALIDATION_FAILED', details: { fields: expect.any(Object) } },
        });
      }
      // Without an ack the refusal comes as chat_error.
      const error = next(socket, 'chat_error');
      socket.emit(event as 'sync', 'not an object' as never);
      expect(await error).toMatchObject({ event, code: 'VALIDATION_FAILED' });
    });
  }

  it('names the bad fields', async () => {
    const answer = await request<Answer>(socket, 'private_message', { receiverId: 1 });
    expect(answer).toMatchObject({
      ok: false,
      error: { details: { fields: { receiverId: expect.any(String), content: expect.any(String) } } },
    });
  });

  it('treats an ack passed in place of the payload as an ack', async () => {
    const answer = await new Promise<Answer>((resolve) =>
      (socket as unknown as { emit(ev: string, cb: (a: Answer) => void): void }).emit('sync', resolve),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('keeps serving after bad payloads', async () => {
    const answer = await request<Answer<{ message: MessageView }>>(socket, 'private_message', {
      receiverId: bob.id,
      content: 'still here',
    });
    expect(answer.ok).toBe(true);
    expect(socket.connected).toBe(true);
  });
});

describe('rate limit', () => {
  it("answers RATE_LIMITED past the user's budget, shared by all their sockets, and drops the event", async () => {
    const limited = await startServer({
      config: { eventRateLimit: { perSecond: 2, burst: 1, burstWindowMs: 60_000 } },
    });
    const alice = await registerUser(limited.engine);
    const bob = await registerUser(limited.engine);
    await befriend(limited.engine, alice, bob);
    const socket = await connect(limited, alice.token);
    const other = await connect(limited, alice.token);
    const sends = [socket, other, socket].map((s, i) =>
      request<Answer>(s, 'private_message', { receiverId: bob.id, content: `m${i}` }),
    );
    expect((await Promise.all(sends)).map((answer) => answer.ok)).toEqual([true, true, true]);
    const answer = await request<Answer>(other, 'private_message', {
      receiverId: bob.id,
      content: 'one too many',
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(answer.ok ? 0 : answer.error.details?.retryAfterMs).toBeGreaterThan(0);
    const error = next(socket, 'chat_error');
    socket.emit('typing_status', { to: bob.id, isTyping: true });
    expect(await error).toMatchObject({ event: 'typing_status', code: 'RATE_LIMITED' });
    // Dropped: only the three allowed messages were stored.
    const history = await limited.engine.messages.privateHistory(bob.id, alice.id);
    expect(history.messages.map((m) => m.content).sort()).toEqual(['m0', 'm1', 'm2']);
    expect(socket.connected && other.connected).toBe(true);
  });

  it('serves a client flushing an outbox of 200 messages at once, and the typing event after it', async () => {
    const fresh = await startServer();
    const alice = await registerUser(fresh.engine);
    const bob = await registerUser(fresh.engine);
    await befriend(fresh.engine, alice, bob);
    const socket = await connect(fresh, alice.token);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request<Answer<{ message: MessageView }>>(socket, 'private_message', {
          receiverId: bob.id,
          content: `outbox ${i}`,
          clientMsgId: `outbox-${i}`,
        }),
      ),
    );
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    // Sent in order, committed in order.
    expect(answers.map((a) => (a.ok ? a.data?.message.seq : 0))).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect((await request<Answer>(socket, 'typing_status', { to: bob.id, isTyping: true })).ok).toBe(true);
  });
});

describe('unknown events', () => {
  it('answer VALIDATION_FAILED in the ack, or as chat_error without one', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, alice.token);
    const untyped = socket as unknown as { emit(event: string, ...args: unknown[]): void };
    const answer = await new Promise<Answer>((resolve) => untyped.emit('no_such_event', { x: 1 }, resolve));
    expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const error = next(socket, 'chat_error');
    untyped.emit('private_mesage', { receiverId: 'x', content: 'typo' });
    expect(await error).toMatchObject({ event: 'private_mesage', code: 'VALIDATION_FAILED' });
    expect(socket.connected).toBe(true);
  });
});
