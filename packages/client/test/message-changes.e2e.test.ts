/**
 * Edits, reactions and pins in the SDK: applied live from their events, and, for a client that was
 * away while they happened, fetched by `sync { afterVersion }` when it comes back.
 */
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

describe('message changes in the SDK', () => {
  it('REST edits answer the edited message, and sync answers { messages, changed, hasMore, version }', async () => {
    const [a, b] = await friends();
    const { message } = await a.rest.messages.sendPrivate(b.id, { content: 'typo' });
    const { message: edited } = await a.rest.messages.edit(message.id, 'fixed');
    expect(edited).toMatchObject({ content: 'fixed', version: 1 });
    const client = pool.make(server.url, b.token);
    await client.whenOnline();
    const page = await client.socket
      .timeout(3000)
      .emitWithAck('sync', { conversationId: message.conversationId, afterSeq: 0, afterVersion: 0 });
    expect(page).toMatchObject({ ok: true, data: { changed: [], version: 1, hasMore: false } });
  });

  it('applies edits, reactions and pins live, once each', async () => {
    const [a, b] = await friends();
    const bob = pool.make(server.url, b.token);
    await bob.whenOnline();
    const { message } = await a.rest.messages.sendPrivate(b.id, { content: 'live' });
    const conversationId = bob.conversationWith(a.id);
    await until(bob, () => bob.messages(conversationId).length === 1);
    await a.rest.messages.edit(message.id, 'live (edited)');
    await a.rest.messages.react(message.id, '👍');
    await a.rest.messages.react(message.id, '🎉');
    await a.rest.messages.unreact(message.id, '🎉');
    await a.rest.conversations.pin(conversationId, message.id);
    await until(bob, () => bob.messages(conversationId)[0]?.pinned === true, 5000, 'the pin');
    expect(bob.messages(conversationId)).toEqual([
      expect.objectContaining({
        content: 'live (edited)',
        editedAt: expect.any(String),
        reactions: [{ emoji: '👍', count: 1, me: false }],
        pinned: true,
        version: 5,
      }),
    ]);
  });

  it('a client away while a message is recalled, edited, reacted to and pinned sees all of it when back', async () => {
    const [a, b] = await friends();
    const bob = pool.make(server.url, b.token);
    await bob.whenOnline();
    const sent = [];
    for (let i = 0; i < 5; i += 1)
      sent.push((await a.rest.messages.sendPrivate(b.id, { content: `m${i}` })).message);
    const conversationId = bob.conversationWith(a.id);
    await until(bob, () => bob.messages(conversationId).length === 5);
    // Bob's sockets hear nothing while the messages change, as when his network is gone.
    server.host.io.in(`user:${b.id}`).socketsLeave(`user:${b.id}`);
    await a.rest.messages.recall(sent[0]!.id);
    await a.rest.messages.edit(sent[1]!.id, 'm1 (edited)');
    await a.rest.messages.react(sent[2]!.id, '👍');
    await a.rest.conversations.pin(conversationId, sent[3]!.id);
    await a.rest.messages.sendPrivate(b.id, { content: 'm5' });
    expect(bob.messages(conversationId).map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    // Back: the SDK reconnects and resumes by seq and by version.
    const offline = reach(bob, 'offline');
    for (const socket of server.host.io.sockets.sockets.values())
      if (socket.handshake.auth.token === b.token) socket.disconnect(true);
    await offline;
    await until(bob, () => bob.state === 'online' && bob.messages(conversationId).length === 6, 10_000, 'm5');
    await until(bob, () => bob.messages(conversationId)[3]?.pinned === true, 10_000, 'the changes');
    const held = bob.messages(conversationId);
    expect(held.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(held[0]).toMatchObject({ recalled: true, content: '' });
    expect(held[1]).toMatchObject({ content: 'm1 (edited)', editedAt: expect.any(String) });
    expect(held[2]?.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    expect(held[3]).toMatchObject({ pinned: true });
    expect(held[4]).toMatchObject({ content: 'm4', version: 0 });
    expect(bob.conversation(conversationId)).toMatchObject({ heldSeq: 6 });
  });
});
