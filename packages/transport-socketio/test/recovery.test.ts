import type { MessageView } from '@parley/chat-core';
import { describe, expect, it } from 'vitest';
import {
  barrier,
  befriend,
  type ClientSocket,
  client,
  connect,
  next,
  once,
  record,
  registerUser,
  useServer,
} from './helpers.js';

const server = useServer({ io: { recovery: true } });

/** A client that reconnects by itself, as real clients do. */
async function reconnecting(token: string): Promise<ClientSocket> {
  const socket = client(server, {
    auth: { token },
    reconnection: true,
    reconnectionDelay: 20,
    reconnectionDelayMax: 50,
  });
  const connected = once(socket, 'connect');
  socket.connect();
  await connected;
  return socket;
}

/**
 * Socket.IO recovers from the offset of the last broadcast the client received: give the socket one,
 * as any live chat client has.
 */
async function receiveSomething(socket: ClientSocket, from: string, to: string): Promise<void> {
  const typing = next(socket, 'typing_status_update');
  await server.engine.presence.typing(from, { to, isTyping: false });
  await typing;
}

/** Drops the connection the way a network does (the server sees "transport close"). */
async function dropConnection(socket: ClientSocket): Promise<void> {
  const serverSide = socket.id === undefined ? undefined : server.io.sockets.sockets.get(socket.id);
  if (!serverSide) throw new Error('no server-side socket');
  // Both ends must have seen the drop before the test changes anything behind the client's back.
  const dropped = Promise.all([
    once(socket, 'disconnect'),
    new Promise<void>((resolve) => serverSide.once('disconnect', () => resolve())),
  ]);
  socket.io.engine.close();
  await dropped;
}

describe('connection state recovery', () => {
  it('recovers the session and replays what was missed, through the auth middleware', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const bobSocket = await reconnecting(bob.token);
    await receiveSomething(bobSocket, alice.id, bob.id);
    await dropConnection(bobSocket);
    const reconnected = once(bobSocket, 'connect');
    const typing = next(bobSocket, 'typing_status_update');
    // Emitted while Bob is away: a plain broadcast, so the recovery buffer keeps it.
    await server.engine.presence.typing(alice.id, { to: bob.id, isTyping: true });
    await reconnected;
    expect(bobSocket.recovered).toBe(true);
    expect(await typing).toEqual({ from: alice.id, isTyping: true });
    const incoming = next<MessageView>(bobSocket, 'new_private_message');
    await server.engine.messages.sendPrivate(alice.id, { receiverId: bob.id, content: 'welcome back' });
    expect((await incoming).content).toBe('welcome back');
  });

  it('does not bring back a session whose token was revoked meanwhile, nor replay what it missed', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const socket = await reconnecting(alice.token);
    await receiveSomething(socket, bob.id, alice.id);
    await dropConnection(socket);
    const seen = record(socket);
    const refused = once(socket, 'connect_error');
    // Missed while away, then the session is revoked: neither may reach the old device.
    await server.engine.presence.typing(bob.id, { to: alice.id, isTyping: true });
    await server.engine.auth.logoutAll(alice.id);
    const [error] = await refused;
    expect((error as Error).message).toBe('UNAUTHORIZED');
    expect(seen.map((e) => e.name)).not.toContain('typing_status_update');
  });

  it('does not recover a member kicked while away, nor replay the group to them', async () => {
    const carol = await registerUser(server.engine);
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, carol, alice);
    await befriend(server.engine, carol, bob);
    const { group } = await server.engine.groups.create(carol.id, {
      name: 'g',
      memberIds: [alice.id, bob.id],
    });
    const aliceSocket = await connect(server, alice.token);
    const bobSocket = await reconnecting(bob.token);
    await receiveSomething(bobSocket, carol.id, bob.id);
    await dropConnection(bobSocket);
    const bobEvents = record(bobSocket);
    const reconnected = once(bobSocket, 'connect');
    await server.engine.groups.kick(carol.id, group.id, bob.id);
    // Broadcast to the group while Bob is away and no longer a member: never for Bob.
    await server.engine.messages.sendGroup(carol.id, { groupId: group.id, content: 'while you were away' });
    await reconnected;
    expect(bobSocket.recovered).toBe(false);
    const toAlice = next(aliceSocket, 'new_group_message');
    await server.engine.messages.sendGroup(carol.id, { groupId: group.id, content: 'after the kick' });
    await toAlice;
    await barrier(bobSocket);
    const groupMessages = bobEvents
      .filter((e) => e.name === 'new_group_message')
      .map((e) => (e.args[0] as MessageView).content);
    expect(groupMessages).not.toContain('while you were away');
    expect(groupMessages).not.toContain('after the kick');
  });
});
