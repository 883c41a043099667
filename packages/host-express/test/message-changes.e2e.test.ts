// biome-ignore-all lint/suspicious/noExplicitAny: wire payloads in these tests are read field by field
/**
 * Edits, reactions, threads, pins, search and the sync of changes over REST and Socket.IO, as a
 * client meets them: status codes, error codes, events with exactly their payload.
 */
import { describe, expect, it } from 'vitest';
import { nextEvent, useServer } from './helpers.js';

const server = useServer();

type Ack = { ok: boolean; data?: any; error?: { code: string } };

describe('edits', () => {
  it('PATCH /api/messages/:id edits; the peer hears message_edited; bad input is 400 and changes nothing', async () => {
    const [a, b] = await server.friends();
    const peer = await server.connect(b.token);
    const sent = await server.api('POST', `/api/messages/private/${b.id}`, {
      token: a.token,
      body: { content: 'helo' },
    });
    const id = sent.body.message.id;
    const edited = nextEvent<any>(peer, 'message_edited');
    const res = await server.api('PATCH', `/api/messages/${id}`, {
      token: a.token,
      body: { content: 'hello' },
    });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({
      id,
      content: 'hello',
      version: 1,
      editedAt: expect.any(String),
    });
    expect(await edited).toEqual({
      messageId: id,
      conversationId: sent.body.message.conversationId,
      content: 'hello',
      editedAt: res.body.message.editedAt,
      version: 1,
    });
    for (const [token, body, status, code] of [
      [b.token, { content: 'not yours' }, 403, 'FORBIDDEN'],
      [a.token, { content: '' }, 400, 'VALIDATION_FAILED'],
      [a.token, { content: 7 }, 400, 'VALIDATION_FAILED'],
      [a.token, {}, 400, 'VALIDATION_FAILED'],
    ] as const) {
      const refused = await server.api('PATCH', `/api/messages/${id}`, { token, body });
      expect(refused.status).toBe(status);
      expect(refused.body.error.code).toBe(code);
    }
    const history = await server.api('GET', `/api/messages/private/${a.id}`, { token: b.token });
    expect(history.body.messages[0]).toMatchObject({ content: 'hello', version: 1 });
  });

  it('socket edit_message answers the ack envelope', async () => {
    const [a, b] = await server.friends();
    const socket = await server.connect(a.token);
    const sent: Ack = await socket.emitWithAck('private_message', { receiverId: b.id, content: 'typo' });
    const ack: Ack = await socket.emitWithAck('edit_message', {
      messageId: sent.data.message.id,
      content: 'fixed',
    });
    expect(ack).toMatchObject({ ok: true, data: { message: { content: 'fixed' } } });
    const refused: Ack = await socket.emitWithAck('edit_message', { messageId: sent.data.message.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('reactions', () => {
  it('POST adds, DELETE removes, react_message does both; parties hear message_reaction', async () => {
    const [a, b] = await server.friends();
    const sender = await server.connect(a.token);
    const sent = await server.api('POST', `/api/messages/private/${b.id}`, {
      token: a.token,
      body: { content: 'yay' },
    });
    const id = sent.body.message.id;
    const heard = nextEvent<any>(sender, 'message_reaction');
    const added = await server.api('POST', `/api/messages/${id}/reactions`, {
      token: b.token,
      body: { emoji: '🎉' },
    });
    expect(added.status).toBe(200);
    expect(added.body.message.reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
    expect(await heard).toMatchObject({ messageId: id, userId: b.id, emoji: '🎉', add: true });
    const viaSocket: Ack = await sender.emitWithAck('react_message', {
      messageId: id,
      emoji: '🎉',
      add: true,
    });
    expect(viaSocket.data.message.reactions).toEqual([{ emoji: '🎉', count: 2, me: true }]);
    const removed = await server.api('DELETE', `/api/messages/${id}/reactions/${encodeURIComponent('🎉')}`, {
      token: b.token,
    });
    expect(removed.status).toBe(204);
    const bad = await server.api('POST', `/api/messages/${id}/reactions`, {
      token: b.token,
      body: { emoji: 'lol' },
    });
    expect(bad.status).toBe(400);
    const history = await server.api('GET', `/api/messages/private/${b.id}`, { token: a.token });
    expect(history.body.messages[0].reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
  });
});

describe('threads and pins', () => {
  it('GET /thread lists replies; pins are added, listed and removed with their events', async () => {
    const [a, b] = await server.friends();
    const peer = await server.connect(b.token);
    const root = await server.api('POST', `/api/messages/private/${b.id}`, {
      token: a.token,
      body: { content: 'root' },
    });
    const id = root.body.message.id;
    for (const content of ['r1', 'r2']) {
      await server.api('POST', `/api/messages/private/${a.id}`, {
        token: b.token,
        body: { content, replyTo: id },
      });
    }
    const thread = await server.api('GET', `/api/messages/${id}/thread?limit=10`, { token: a.token });
    expect(thread.status).toBe(200);
    expect(thread.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(thread.body.messages.map((m: { content: string }) => m.content)).toEqual(['r1', 'r2']);
    const conversationId = root.body.message.conversationId;
    const pinned = nextEvent<any>(peer, 'message_pinned');
    const pin = await server.api('POST', `/api/conversations/${conversationId}/pins`, {
      token: a.token,
      body: { messageId: id },
    });
    expect(pin.status).toBe(201);
    expect(await pinned).toMatchObject({ conversationId, messageId: id, by: a.id });
    const list = await server.api('GET', `/api/conversations/${conversationId}/pins`, { token: b.token });
    expect(
      list.body.messages.map((m: { id: string; pinned?: boolean; replyCount?: number }) => [
        m.id,
        m.pinned,
        m.replyCount,
      ]),
    ).toEqual([[id, true, 2]]);
    const unpinned = nextEvent<any>(peer, 'message_unpinned');
    expect(
      (await server.api('DELETE', `/api/conversations/${conversationId}/pins/${id}`, { token: b.token }))
        .status,
    ).toBe(204);
    expect(await unpinned).toMatchObject({ messageId: id, by: b.id });
    const stranger = await server.user();
    const refused = await server.api('GET', `/api/conversations/${conversationId}/pins`, {
      token: stranger.token,
    });
    expect(refused.status).toBe(404);
  });
});

describe('search', () => {
  it('GET /api/messages/search finds CJK and spaced words, newest first, paged', async () => {
    const [a, b] = await server.friends();
    for (const content of ['大家你好啊', 'hello there', '你好 hello']) {
      await server.api('POST', `/api/messages/private/${b.id}`, { token: a.token, body: { content } });
    }
    const res = await server.api('GET', `/api/messages/search?q=${encodeURIComponent('你好')}`, {
      token: b.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { content: string }) => m.content)).toEqual([
      '你好 hello',
      '大家你好啊',
    ]);
    const first = await server.api('GET', '/api/messages/search?q=hello&limit=1', { token: b.token });
    expect(first.body).toMatchObject({ hasMore: true });
    const second = await server.api(
      'GET',
      `/api/messages/search?q=hello&limit=1&cursor=${first.body.nextCursor}`,
      {
        token: b.token,
      },
    );
    expect(second.body.messages.map((m: { content: string }) => m.content)).toEqual(['hello there']);
    for (const query of ['', 'q=', 'q=hello&limit=0', 'q[]=hello', 'q=hello&cursor=junk!']) {
      const bad = await server.api('GET', `/api/messages/search?${query}`, { token: b.token });
      expect(bad.status, query).toBe(400);
    }
  });
});

describe('sync of changes', () => {
  it('a socket client away while messages change gets every change from sync { afterVersion }', async () => {
    const [a, b] = await server.friends();
    const sent = [];
    for (let i = 0; i < 3; i++) {
      sent.push(
        (
          await server.api('POST', `/api/messages/private/${b.id}`, {
            token: a.token,
            body: { content: `m${i}` },
          })
        ).body.message,
      );
    }
    const conversationId = sent[0].conversationId;
    const client = await server.connect(b.token);
    const first: Ack = await client.emitWithAck('sync', { conversationId, afterSeq: 0, afterVersion: 0 });
    expect(first.data).toMatchObject({ changed: [], version: 0 });
    client.disconnect();
    await server.api('POST', `/api/messages/${sent[0].id}/recall`, { token: a.token });
    await server.api('PATCH', `/api/messages/${sent[1].id}`, { token: a.token, body: { content: 'edited' } });
    await server.api('POST', `/api/messages/${sent[2].id}/reactions`, {
      token: a.token,
      body: { emoji: '👍' },
    });
    const back = await server.connect(b.token);
    const list = await server.api('GET', '/api/conversations', { token: b.token });
    expect(list.body[0]).toMatchObject({ id: conversationId, lastSeq: 3 });
    const again: Ack = await back.emitWithAck('sync', {
      conversationId,
      afterSeq: 3,
      afterVersion: first.data.version,
    });
    expect(again.data.messages).toEqual([]);
    expect(again.data.changed.map((m: { id: string }) => m.id)).toEqual(sent.map((m) => m.id));
    expect(again.data.version).toBe(3);
  });
});
