import { testClock } from '@parley/chat-core/testing';
import { io as connectClient, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { emitWithAck, nextEvent, startServer, useServer } from './helpers.js';

interface Message {
  id: string;
  conversationId: string;
  seq: number;
  content: string;
  senderId: string;
}
type Ack<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; details?: object } };

const clock = testClock();
const s = useServer({ clock });

/** Records every payload of `event` on `socket`, to assert later that none (or which) arrived. */
function collect<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Sends a private message over `socket` and answers it; throws on a refusal. */
async function sendPrivate(socket: Socket, receiverId: string, content: string): Promise<Message> {
  const ack = await emitWithAck<Ack<{ message: Message }>>(socket, 'private_message', {
    receiverId,
    content,
  });
  if (!ack.ok) throw new Error(ack.error.code);
  return ack.data.message;
}

describe('handshake', () => {
  it("accepts the original README's client: io(url, { query: { token } }) then private_message", async () => {
    const [a, b] = await s.friends();
    // As in the original README: the token rides in the query string.
    const receiver = connectClient(s.url, {
      query: { token: b.token },
      transports: ['websocket'],
      forceNew: true,
    });
    const sender = connectClient(s.url, {
      query: { token: a.token },
      transports: ['websocket'],
      forceNew: true,
    });
    try {
      await Promise.all([nextEvent(receiver, 'connect'), nextEvent(sender, 'connect')]);
      const received = nextEvent<Message>(receiver, 'new_private_message');
      sender.emit('private_message', { receiverId: b.id, content: 'Hello from the README' });
      expect(await received).toMatchObject({ senderId: a.id, content: 'Hello from the README', seq: 1 });
    } finally {
      receiver.disconnect();
      sender.disconnect();
    }
  });

  it('accepts auth.token and the Authorization header', async () => {
    const u = await s.user();
    expect((await s.connect(u.token, 'auth')).connected).toBe(true);
    expect((await s.connect(u.token, 'header')).connected).toBe(true);
  });

  it('refuses a missing, garbage or revoked token with connect_error UNAUTHORIZED', async () => {
    const u = await s.user();
    await expect(s.connect('')).rejects.toThrow('UNAUTHORIZED');
    await expect(s.connect('garbage')).rejects.toThrow('UNAUTHORIZED');
    const login = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    await s.api('POST', '/api/auth/logout', { token: login.body.token });
    await expect(s.connect(login.body.token)).rejects.toThrow('UNAUTHORIZED');
  });

  it('refuses an expired token with connect_error TOKEN_EXPIRED', async () => {
    const u = await s.user();
    clock.advance(8 * 24 * 3600 * 1000);
    try {
      await expect(s.connect(u.token)).rejects.toThrow('TOKEN_EXPIRED');
    } finally {
      clock.advance(-8 * 24 * 3600 * 1000);
    }
  });
});

describe('private messages over the socket', () => {
  it('acks { ok, data: { message } }; the receiver and the sender’s other sockets get it, not the sending socket', async () => {
    const [a, b] = await s.friends();
    const sending = await s.connect(a.token);
    const otherDevice = await s.connect(a.token);
    const receiver = await s.connect(b.token);
    const echoes = collect<Message>(sending, 'new_private_message');
    const onReceiver = nextEvent<Message>(receiver, 'new_private_message');
    const onOtherDevice = nextEvent<Message>(otherDevice, 'new_private_message');
    const ack = await emitWithAck<Ack<{ message: Message }>>(sending, 'private_message', {
      receiverId: b.id,
      content: 'hi',
      clientMsgId: 'k-1',
    });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.data.message).toMatchObject({ content: 'hi', senderId: a.id, seq: 1 });
    expect((await onReceiver).id).toBe(ack.data.message.id);
    expect((await onOtherDevice).id).toBe(ack.data.message.id);
    const again = await emitWithAck<Ack<{ message: Message }>>(sending, 'private_message', {
      receiverId: b.id,
      content: 'hi',
      clientMsgId: 'k-1',
    });
    expect(again.ok && again.data.message.id).toBe(ack.data.message.id);
    // A later round trip proves nothing else reached the sending socket.
    await emitWithAck(sending, 'typing_status', { to: b.id, isTyping: false });
    expect(echoes).toEqual([]);
  });

  it('delivery: the receiver acks new_private_message and the sender gets message_delivered', async () => {
    const [a, b] = await s.friends();
    const sender = await s.connect(a.token);
    const receiver = await s.connect(b.token);
    receiver.on('new_private_message', (_message: Message, ack?: () => void) => ack?.());
    const delivered = nextEvent<{ messageId: string; userId: string; seq: number }>(
      sender,
      'message_delivered',
    );
    const message = await sendPrivate(sender, b.id, 'did you get it?');
    expect(await delivered).toMatchObject({ messageId: message.id, userId: b.id, seq: 1 });
  });

  it('message_status_update delivered → message_delivered to the sender', async () => {
    const [a, b] = await s.friends();
    const sender = await s.connect(a.token);
    const message = await sendPrivate(sender, b.id, 'offline when sent');
    const receiver = await s.connect(b.token);
    const delivered = nextEvent<{ messageId: string; userId: string }>(sender, 'message_delivered');
    const status = await emitWithAck<Ack<unknown>>(receiver, 'message_status_update', {
      messageId: message.id,
      status: 'delivered',
    });
    expect(status.ok).toBe(true);
    expect(await delivered).toMatchObject({ messageId: message.id, userId: b.id });
  });

  it('message_status_update read → message_read to the sender', async () => {
    const [a, b] = await s.friends();
    const sender = await s.connect(a.token);
    const receiver = await s.connect(b.token);
    const message = await sendPrivate(sender, b.id, 'read me');
    const read = nextEvent<{ messageId: string; readerId: string }>(sender, 'message_read');
    const status = await emitWithAck<Ack<unknown>>(receiver, 'message_status_update', {
      messageId: message.id,
      status: 'read',
    });
    expect(status.ok).toBe(true);
    expect(await read).toMatchObject({ messageId: message.id, readerId: b.id });
  });

  it('refuses with ack errors (NOT_FRIENDS, VALIDATION_FAILED), or chat_error without a callback', async () => {
    const a = await s.user();
    const stranger = await s.user();
    const socket = await s.connect(a.token);
    const refused = await emitWithAck<Ack<unknown>>(socket, 'private_message', {
      receiverId: stranger.id,
      content: 'hi',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FRIENDS' } });
    const invalid = await emitWithAck<Ack<unknown>>(socket, 'private_message', { receiverId: stranger.id });
    expect(invalid).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: expect.any(Object) },
    });
    const chatError = nextEvent<{ event: string; code: string; message: string }>(socket, 'chat_error');
    socket.emit('private_message', { receiverId: stranger.id, content: 'no ack' });
    expect(await chatError).toMatchObject({ event: 'private_message', code: 'NOT_FRIENDS' });
    expect(socket.connected).toBe(true);
  });

  it('recall_message acks the tombstone; both sides get message_recalled', async () => {
    const [a, b] = await s.friends();
    const sender = await s.connect(a.token);
    const receiver = await s.connect(b.token);
    const message = await sendPrivate(sender, b.id, 'take back');
    const heard = nextEvent<{ messageId: string; by: string }>(receiver, 'message_recalled');
    const recalled = await emitWithAck<Ack<{ message: { recalled: boolean } }>>(sender, 'recall_message', {
      messageId: message.id,
    });
    expect(recalled).toMatchObject({ ok: true, data: { message: { recalled: true } } });
    expect(await heard).toMatchObject({ messageId: message.id, by: a.id });
  });

  it('sync answers the messages after afterSeq', async () => {
    const [a, b] = await s.friends();
    const socket = await s.connect(a.token);
    let conversationId = '';
    for (const content of ['one', 'two', 'three']) {
      const res = await s.api('POST', `/api/messages/private/${a.id}`, { token: b.token, body: { content } });
      conversationId = res.body.message.conversationId;
    }
    const synced = await emitWithAck<Ack<{ messages: Message[]; hasMore: boolean }>>(socket, 'sync', {
      conversationId,
      afterSeq: 1,
    });
    expect(synced.ok).toBe(true);
    if (!synced.ok) return;
    expect(synced.data.messages.map((m) => m.content)).toEqual(['two', 'three']);
    expect(synced.data.hasMore).toBe(false);
  });
});

describe('typing and presence', () => {
  it('typing_status { to } relays typing_status_update; not across a block', async () => {
    const [a, b] = await s.friends();
    const typist = await s.connect(a.token);
    const watcher = await s.connect(b.token);
    const heard = nextEvent<{ from: string; isTyping: boolean }>(watcher, 'typing_status_update');
    expect(await emitWithAck(typist, 'typing_status', { to: b.id, isTyping: true })).toMatchObject({
      ok: true,
    });
    expect(await heard).toEqual({ from: a.id, isTyping: true });
    await s.api('POST', '/api/blacklist', { token: b.token, body: { userId: a.id } });
    const blocked = await emitWithAck<Ack<unknown>>(typist, 'typing_status', { to: b.id, isTyping: true });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
  });

  it('friends get user_presence online and offline (with lastSeenAt)', async () => {
    const [a, b] = await s.friends();
    const watcher = await s.connect(b.token);
    const online = nextEvent<{ userId: string; status: string }>(watcher, 'user_presence');
    const socket = await s.connect(a.token);
    expect(await online).toMatchObject({ userId: a.id, status: 'online' });
    const offline = nextEvent<{ userId: string; status: string; lastSeenAt?: string }>(
      watcher,
      'user_presence',
    );
    socket.disconnect();
    expect(await offline).toMatchObject({ userId: a.id, status: 'offline', lastSeenAt: expect.any(String) });
  });
});

describe('groups over the socket', () => {
  it('group_message acks and reaches members; join_group_room refuses non-members; typing in a group', async () => {
    const [owner, member] = await s.friends();
    const outsider = await s.user();
    const created = await s.api('POST', '/api/groups', {
      token: owner.token,
      body: { name: 'Sockets', memberIds: [member.id] },
    });
    const groupId: string = created.body.group.id;
    const ownerSocket = await s.connect(owner.token);
    const memberSocket = await s.connect(member.token);
    const outsiderSocket = await s.connect(outsider.token);
    expect(await emitWithAck(memberSocket, 'join_group_room', { groupId })).toMatchObject({
      ok: true,
      data: { groupId },
    });
    expect(await emitWithAck(outsiderSocket, 'join_group_room', { groupId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_GROUP_MEMBER' },
    });
    const outsiderHeard = collect<Message>(outsiderSocket, 'new_group_message');
    const heard = nextEvent<Message>(memberSocket, 'new_group_message');
    const ack = await emitWithAck<Ack<{ message: Message }>>(ownerSocket, 'group_message', {
      groupId,
      content: 'hello group',
    });
    expect(ack.ok).toBe(true);
    expect(await heard).toMatchObject({ content: 'hello group', senderId: owner.id });
    const typing = nextEvent<{ from: string; groupId: string }>(memberSocket, 'typing_status_update');
    await emitWithAck(ownerSocket, 'typing_status', { groupId, isTyping: true });
    expect(await typing).toMatchObject({ from: owner.id, groupId, isTyping: true });
    const refused = await emitWithAck<Ack<unknown>>(outsiderSocket, 'group_message', {
      groupId,
      content: 'hi',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_GROUP_MEMBER' } });
    expect(outsiderHeard).toEqual([]);
  });

  it('a member added over REST joins the room at once; a kicked member stops hearing the group', async () => {
    const [owner, member] = await s.friends();
    const created = await s.api('POST', '/api/groups', { token: owner.token, body: { name: 'Rooms' } });
    const groupId: string = created.body.group.id;
    const memberSocket = await s.connect(member.token);
    const joined = nextEvent<{ groupId: string }>(memberSocket, 'group_member_joined');
    await s.api('POST', `/api/groups/${groupId}/members`, {
      token: owner.token,
      body: { userIds: [member.id] },
    });
    await joined;
    const first = nextEvent<Message>(memberSocket, 'new_group_message');
    await s.api('POST', `/api/messages/group/${groupId}`, {
      token: owner.token,
      body: { content: 'welcome' },
    });
    expect((await first).content).toBe('welcome');
    const removed = nextEvent(memberSocket, 'group_member_removed');
    await s.api('DELETE', `/api/groups/${groupId}/members/${member.id}`, { token: owner.token });
    await removed;
    const after = collect<Message>(memberSocket, 'new_group_message');
    await s.api('POST', `/api/messages/group/${groupId}`, {
      token: owner.token,
      body: { content: 'secret' },
    });
    await emitWithAck(memberSocket, 'typing_status', { to: owner.id, isTyping: false });
    expect(after.map((m) => m.content)).not.toContain('secret');
  });
});

describe('shutdown', () => {
  it('host.close() disconnects live sockets, stops listening, and is safe to call twice', async () => {
    const own = await startServer();
    const u = await own.user();
    const socket = await own.connect(u.token);
    const dropped = nextEvent(socket, 'disconnect');
    await Promise.all([own.host.close(), own.host.close()]);
    await dropped;
    await expect(fetch(`${own.url}/health`)).rejects.toThrow();
    await own.close();
  });
});
