import { describe, expect, it } from 'vitest';
import { nextEvent, startServer, type TestUser, useServer } from './helpers.js';

const s = useServer();

const send = (from: TestUser, to: TestUser, body: Record<string, unknown>) =>
  s.api('POST', `/api/messages/private/${to.id}`, { token: from.token, body });

const seqs = (messages: { seq: number }[]) => messages.map((m) => m.seq);

describe('POST /api/messages/private/:friendId', () => {
  it('answers 201 { message } with seq 1, 2, 3 and delivers new_private_message to the receiver', async () => {
    const [a, b] = await s.friends();
    const socket = await s.connect(b.token);
    const heard = nextEvent<{ id: string; content: string }>(socket, 'new_private_message');
    const first = await send(a, b, { content: 'hello' });
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({
      type: 'private',
      senderId: a.id,
      receiverId: b.id,
      content: 'hello',
      contentType: 'text',
      seq: 1,
      createdAt: expect.any(String),
    });
    expect(await heard).toMatchObject({ id: first.body.message.id, content: 'hello' });
    const second = await send(b, a, { content: 'hi back' });
    const third = await send(a, b, { content: 'how are you?' });
    expect([second.body.message.seq, third.body.message.seq]).toEqual([2, 3]);
    expect(second.body.message.conversationId).toBe(first.body.message.conversationId);
  });

  it('answers the first message again for a repeated clientMsgId (no second seq)', async () => {
    const [a, b] = await s.friends();
    const first = await send(a, b, { content: 'once', clientMsgId: 'c-1' });
    const again = await send(a, b, { content: 'once', clientMsgId: 'c-1' });
    expect(again.body.message.id).toBe(first.body.message.id);
    const history = await s.api('GET', `/api/messages/private/${b.id}`, { token: a.token });
    expect(history.body.messages).toHaveLength(1);
  });

  it('refuses a non-friend with 403 NOT_FRIENDS, an unknown user with 404, bad payloads with 400', async () => {
    const a = await s.user();
    const stranger = await s.user();
    const res = await send(a, stranger, { content: 'hi' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('NOT_FRIENDS');
    const unknown = await s.api('POST', '/api/messages/private/000000000000000000000000', {
      token: a.token,
      body: { content: 'hi' },
    });
    expect(unknown.status).toBe(404);
    const [c, d] = await s.friends();
    for (const body of [{}, { content: '' }, { content: 42 }, { content: 'x', contentType: 'hologram' }]) {
      const bad = await send(c, d, body);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
      expect(bad.body.error.details.fields).toEqual(expect.any(Object));
    }
    const none = await s.api('GET', `/api/messages/private/${d.id}`, { token: c.token });
    expect(none.body.messages).toEqual([]);
  });

  it('answers 413 PAYLOAD_TOO_LARGE for text over the limit', async () => {
    const [a, b] = await s.friends();
    const res = await send(a, b, { content: 'x'.repeat(5001) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('GET /api/messages/private/:friendId', () => {
  it('pages history ascending by seq: newest page, beforeSeq and afterSeq', async () => {
    const [a, b] = await s.friends();
    for (let i = 1; i <= 7; i++) await send(i % 2 ? a : b, i % 2 ? b : a, { content: `m${i}` });
    const newest = await s.api('GET', `/api/messages/private/${b.id}?limit=3`, { token: a.token });
    expect(newest.status).toBe(200);
    expect(seqs(newest.body.messages)).toEqual([5, 6, 7]);
    expect(newest.body.hasMore).toBe(true);
    const before = await s.api('GET', `/api/messages/private/${b.id}?beforeSeq=5&limit=3`, {
      token: a.token,
    });
    expect(seqs(before.body.messages)).toEqual([2, 3, 4]);
    const after = await s.api('GET', `/api/messages/private/${a.id}?afterSeq=5`, { token: b.token });
    expect(seqs(after.body.messages)).toEqual([6, 7]);
    expect(after.body.hasMore).toBe(false);
    const bad = await s.api('GET', `/api/messages/private/${b.id}?beforeSeq=abc`, { token: a.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toHaveProperty('beforeSeq');
  });

  it('history survives unfriending', async () => {
    const [a, b] = await s.friends();
    await send(a, b, { content: 'kept' });
    await s.api('DELETE', `/api/friends/${b.id}`, { token: a.token });
    const history = await s.api('GET', `/api/messages/private/${a.id}`, { token: b.token });
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['kept']);
  });
});

describe('recall and delete', () => {
  it('recall answers the tombstone and every party gets message_recalled', async () => {
    const [a, b] = await s.friends();
    const sent = await send(a, b, { content: 'oops' });
    const socket = await s.connect(b.token);
    const heard = nextEvent<{ messageId: string; by: string }>(socket, 'message_recalled');
    const byOther = await s.api('POST', `/api/messages/${sent.body.message.id}/recall`, { token: b.token });
    expect(byOther.status).toBe(403);
    const res = await s.api('POST', `/api/messages/${sent.body.message.id}/recall`, { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ id: sent.body.message.id, recalled: true, content: '' });
    expect(await heard).toMatchObject({ messageId: sent.body.message.id, by: a.id });
    const history = await s.api('GET', `/api/messages/private/${a.id}`, { token: b.token });
    expect(history.body.messages[0]).toMatchObject({ recalled: true, content: '' });
  });

  it('DELETE /api/messages/:id answers 204 and hides the message from the caller only', async () => {
    const [a, b] = await s.friends();
    const sent = await send(a, b, { content: 'mine to hide' });
    expect((await s.api('DELETE', `/api/messages/${sent.body.message.id}`, { token: b.token })).status).toBe(
      204,
    );
    expect((await s.api('GET', `/api/messages/private/${a.id}`, { token: b.token })).body.messages).toEqual(
      [],
    );
    expect(
      (await s.api('GET', `/api/messages/private/${b.id}`, { token: a.token })).body.messages,
    ).toHaveLength(1);
    const stranger = await s.user();
    expect(
      (await s.api('DELETE', `/api/messages/${sent.body.message.id}`, { token: stranger.token })).status,
    ).toBe(404);
  });
});

describe('conversations and read receipts', () => {
  it('GET /api/conversations answers an array newest first with unread counts', async () => {
    const a = await s.user();
    const b = await s.user();
    const c = await s.user();
    await s.befriend(a, b);
    await s.befriend(a, c);
    await send(b, a, { content: 'from b' });
    await send(c, a, { content: 'from c 1' });
    await send(c, a, { content: 'from c 2' });
    const res = await s.api('GET', '/api/conversations', { token: a.token });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((conv: { peer: { id: string } }) => conv.peer.id)).toEqual([c.id, b.id]);
    expect(res.body[0]).toMatchObject({
      type: 'private',
      unreadCount: 2,
      mentioned: false,
      lastMessage: { content: 'from c 2' },
      updatedAt: expect.any(String),
    });
  });

  it('POST /api/conversations/:id/read answers 204, clears unread, and the sender gets message_read', async () => {
    const [a, b] = await s.friends();
    await send(a, b, { content: 'one' });
    const two = await send(a, b, { content: 'two' });
    const socket = await s.connect(a.token);
    const heard = nextEvent<{ readerId: string; seq: number }>(socket, 'message_read');
    const conversationId: string = two.body.message.conversationId;
    const res = await s.api('POST', `/api/conversations/${encodeURIComponent(conversationId)}/read`, {
      token: b.token,
      body: { seq: 2 },
    });
    expect(res.status).toBe(204);
    expect(await heard).toMatchObject({ readerId: b.id, seq: 2, conversationId });
    const list = await s.api('GET', '/api/conversations', { token: b.token });
    expect(list.body[0].unreadCount).toBe(0);
    const bad = await s.api('POST', `/api/conversations/${encodeURIComponent(conversationId)}/read`, {
      token: b.token,
      body: { seq: 'two' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('policy', () => {
  it('PRIVATE_MESSAGE_POLICY=anyone lets strangers message (blocks still apply)', async () => {
    const open = await startServer({
      config: { chat: { privateMessagePolicy: 'anyone' } },
    });
    try {
      const a = await open.user();
      const b = await open.user();
      const res = await open.api('POST', `/api/messages/private/${b.id}`, {
        token: a.token,
        body: { content: 'hi' },
      });
      expect(res.status).toBe(201);
      await open.api('POST', '/api/blacklist', { token: b.token, body: { userId: a.id } });
      const blocked = await open.api('POST', `/api/messages/private/${b.id}`, {
        token: a.token,
        body: { content: 'hi again' },
      });
      expect(blocked.body.error.code).toBe('BLOCKED');
    } finally {
      await open.close();
    }
  });
});
