import { testClock } from '@parley/chat-core/testing';
import { describe, expect, it } from 'vitest';
import {
  befriend,
  connect,
  connectError,
  next,
  once,
  registerUser,
  request,
  startServer,
  useServer,
} from './helpers.js';

const server = useServer();

describe('handshake', () => {
  it('accepts the token from auth.token', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, alice.token);
    expect(socket.connected).toBe(true);
  });

  it('accepts the token from the token query parameter (the original README client)', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, null, { query: { token: alice.token } });
    expect(socket.connected).toBe(true);
  });

  it('accepts the token from an Authorization: Bearer header', async () => {
    const alice = await registerUser(server.engine);
    const socket = await connect(server, null, { extraHeaders: { Authorization: `Bearer ${alice.token}` } });
    expect(socket.connected).toBe(true);
  });

  it('identifies the socket as the token’s user', async () => {
    const alice = await registerUser(server.engine);
    const bob = await registerUser(server.engine);
    await befriend(server.engine, alice, bob);
    const bobSocket = await connect(server, null, { query: { token: bob.token } });
    const aliceSocket = await connect(server, alice.token);
    const received = next<{ senderId: string }>(bobSocket, 'new_private_message');
    await request(aliceSocket, 'private_message', { receiverId: bob.id, content: 'hi' });
    expect((await received).senderId).toBe(alice.id);
  });

  it('refuses a missing token with UNAUTHORIZED', async () => {
    const error = await connectError(server, {});
    expect(error.message).toBe('UNAUTHORIZED');
    expect(error.data?.code).toBe('UNAUTHORIZED');
  });

  it('refuses a malformed or forged token with UNAUTHORIZED', async () => {
    const alice = await registerUser(server.engine);
    const forged = `${alice.token.slice(0, -4)}AAAA`;
    expect((await connectError(server, { auth: { token: 'not-a-jwt' } })).message).toBe('UNAUTHORIZED');
    expect((await connectError(server, { auth: { token: forged } })).message).toBe('UNAUTHORIZED');
    expect((await connectError(server, { auth: { token: 42 } })).message).toBe('UNAUTHORIZED');
  });

  it('refuses a revoked token with UNAUTHORIZED', async () => {
    const alice = await registerUser(server.engine);
    const session = await server.engine.auth.authenticate(alice.token);
    await server.engine.auth.logout(session);
    const error = await connectError(server, { auth: { token: alice.token } });
    expect(error.message).toBe('UNAUTHORIZED');
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const clock = testClock();
    const timed = await startServer({ clock });
    const alice = await registerUser(timed.engine);
    clock.advance(8 * 24 * 3600 * 1000);
    const error = await connectError(timed, { auth: { token: alice.token } });
    expect(error.message).toBe('TOKEN_EXPIRED');
    expect(error.data).toEqual({ code: 'TOKEN_EXPIRED', message: expect.any(String) });
  });

  it('disconnects a socket when its token expires', async () => {
    const shortLived = await startServer({ config: { jwtExpiresIn: 2 } });
    const alice = await registerUser(shortLived.engine);
    const socket = await connect(shortLived, alice.token);
    const notice = next<{ code: string }>(socket, 'chat_error', 4000);
    const closed = once(socket, 'disconnect', 4000);
    expect((await notice).code).toBe('TOKEN_EXPIRED');
    expect((await closed)[0]).toBe('io server disconnect');
  });
});

describe('session revocation', () => {
  it('logout disconnects the sockets of that token only', async () => {
    const alice = await registerUser(server.engine);
    const other = await server.engine.auth.login({ email: alice.email, password: alice.password });
    const phone = await connect(server, alice.token);
    const laptop = await connect(server, other.token);
    const closed = once(phone, 'disconnect');
    await server.engine.auth.logout(await server.engine.auth.authenticate(alice.token));
    expect((await closed)[0]).toBe('io server disconnect');
    // The laptop's token is still valid: its socket keeps working.
    const answer = await request<{ ok: boolean; error?: { code: string } }>(laptop, 'join_group_room', {
      groupId: 'nope',
    });
    expect(answer.ok).toBe(false);
    expect(laptop.connected).toBe(true);
  });

  it('logout-all disconnects every socket of the user', async () => {
    const alice = await registerUser(server.engine);
    const other = await server.engine.auth.login({ email: alice.email, password: alice.password });
    const phone = await connect(server, alice.token);
    const laptop = await connect(server, other.token);
    const closed = Promise.all([once(phone, 'disconnect'), once(laptop, 'disconnect')]);
    await server.engine.auth.logoutAll(alice.id);
    await closed;
    expect(phone.connected || laptop.connected).toBe(false);
  });
});

describe('close', () => {
  it('disconnects its sockets, refuses new ones and is safe to call twice', async () => {
    const own = await startServer();
    const alice = await registerUser(own.engine);
    const socket = await connect(own, alice.token);
    const closed = once(socket, 'disconnect');
    await own.transport.close();
    await own.transport.close();
    await closed;
    expect((await connectError(own, { auth: { token: alice.token } })).message).toBe('INTERNAL');
  });
});
