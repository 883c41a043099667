/**
 * Sessions, privacy settings and push subscriptions over real HTTP and Socket.IO: what a client
 * written against the contract sees.
 */
import { describe, expect, it } from 'vitest';
import { nextEvent, useServer } from './helpers.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148';

function subscription(n: number) {
  return {
    endpoint: `https://push.example.test/send/${n}-${Date.now()}`,
    expirationTime: null,
    keys: {
      p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, n)]).toString('base64url'),
      auth: Buffer.alloc(16, n).toString('base64url'),
    },
  };
}

describe('sessions', () => {
  const server = useServer();

  it('lists each device with its user agent and times; ending one disconnects its sockets only', async () => {
    const alice = await server.user('Alice');
    const login = (ua: string) =>
      server.api('POST', '/api/auth/login', {
        body: { email: alice.email, password: alice.password },
        headers: { 'user-agent': ua },
      });
    const desk = (await login(FIREFOX)).body.token as string;
    const phone = (await login(PHONE)).body.token as string;

    const listed = await server.api('GET', '/api/auth/sessions', { token: desk });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toContain('no-store');
    const sessions = listed.body.sessions as {
      id: string;
      userAgent: string | null;
      ip?: string;
      current: boolean;
      createdAt: string;
      lastSeenAt: string;
    }[];
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current).map((s) => s.userAgent)).toEqual([FIREFOX]);
    const phoneSession = sessions.find((s) => s.userAgent === PHONE);
    expect(phoneSession).toBeDefined();
    // TRUST_PROXY is not set: the server cannot tell a client's address, so it shows none.
    expect(sessions.every((s) => s.ip === undefined)).toBe(true);
    expect(Number.isNaN(Date.parse(phoneSession?.lastSeenAt ?? ''))).toBe(false);

    const deskSocket = await server.connect(desk);
    const phoneSocket = await server.connect(phone);
    const ended = nextEvent(phoneSocket, 'disconnect');
    const notice = nextEvent<{ code: string }>(phoneSocket, 'chat_error');
    const res = await server.api('DELETE', `/api/auth/sessions/${phoneSession?.id}`, { token: desk });
    expect(res.status).toBe(204);
    expect((await notice).code).toBe('UNAUTHORIZED');
    await ended;
    expect(deskSocket.connected).toBe(true);
    expect((await server.api('GET', '/api/users/me', { token: phone })).status).toBe(401);
    expect((await server.api('GET', '/api/users/me', { token: desk })).status).toBe(200);
    const after = await server.api('GET', '/api/auth/sessions', { token: desk });
    expect(after.body.sessions.map((s: { userAgent: string }) => s.userAgent)).not.toContain(PHONE);

    // Another user's session, or one already ended: 404, nothing changes.
    const bob = await server.user('Bob');
    const bobs = await server.api('GET', '/api/auth/sessions', { token: bob.token });
    const gone = await server.api('DELETE', `/api/auth/sessions/${bobs.body.sessions[0].id}`, {
      token: desk,
    });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NOT_FOUND');
    expect((await server.api('GET', '/api/users/me', { token: bob.token })).status).toBe(200);
    expect(
      (await server.api('DELETE', `/api/auth/sessions/${phoneSession?.id}`, { token: desk })).status,
    ).toBe(404);
    expect((await server.api('GET', '/api/auth/sessions')).status).toBe(401);
  });

  it('ending the current session is a logout', async () => {
    const carol = await server.user('Carol');
    const { body } = await server.api('GET', '/api/auth/sessions', { token: carol.token });
    const mine = body.sessions.find((s: { current: boolean }) => s.current);
    expect((await server.api('DELETE', `/api/auth/sessions/${mine.id}`, { token: carol.token })).status).toBe(
      204,
    );
    expect((await server.api('GET', '/api/users/me', { token: carol.token })).status).toBe(401);
  });
});

describe('sessions behind a trusted proxy', () => {
  const server = useServer({ config: { trustProxy: 1 } });

  it('shows the client address the proxy reports', async () => {
    const dave = await server.user('Dave');
    const login = await server.api('POST', '/api/auth/login', {
      body: { email: dave.email, password: dave.password },
      headers: { 'x-forwarded-for': '198.51.100.23', 'user-agent': PHONE },
    });
    const { body } = await server.api('GET', '/api/auth/sessions', { token: login.body.token });
    const current = body.sessions.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ ip: '198.51.100.23', userAgent: PHONE });
  });
});

describe('privacy settings', () => {
  const server = useServer();

  it('PUT settings changes only what is given, refuses anything else, and friends see it', async () => {
    const [alice, bob] = await server.friends();
    const me = await server.api('GET', '/api/users/me', { token: alice.token });
    expect(me.body.user.settings).toEqual({
      privateMessagePolicy: 'friends',
      showLastSeen: true,
      showOnline: true,
      sendReadReceipts: true,
      pushPreviews: true,
    });
    for (const bad of [{ showOnline: 'false' }, { nickname: 'x' }, { showLastSeen: null }]) {
      const res = await server.api('PUT', '/api/users/me/settings', { token: alice.token, body: bad });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const bobSocket = await server.connect(bob.token);
    await server.api('PUT', '/api/users/me/settings', { token: alice.token, body: { showLastSeen: false } });
    const aliceSocket = await server.connect(alice.token);
    expect(await nextEvent(bobSocket, 'user_presence')).toEqual({ userId: alice.id, status: 'online' });
    const offline = nextEvent(bobSocket, 'user_presence');
    aliceSocket.disconnect();
    // No lastSeenAt: Alice hides it.
    expect(await offline).toEqual({ userId: alice.id, status: 'offline' });
    const friends = await server.api('GET', '/api/friends', { token: bob.token });
    expect(friends.body.friends[0]).toMatchObject({ online: false, lastSeenAt: null });
    const updated = await server.api('PUT', '/api/users/me/settings', {
      token: alice.token,
      body: { sendReadReceipts: false },
    });
    expect(updated.body.user.settings).toMatchObject({
      showLastSeen: false,
      sendReadReceipts: false,
      showOnline: true,
    });
  });

  it('read receipts off: the sender gets no message_read and sees delivered', async () => {
    const [alice, bob] = await server.friends();
    await server.api('PUT', '/api/users/me/settings', {
      token: bob.token,
      body: { sendReadReceipts: false },
    });
    const aliceSocket = await server.connect(alice.token);
    const sent = await server.api('POST', `/api/messages/private/${bob.id}`, {
      token: alice.token,
      body: { content: 'did you read this?' },
    });
    expect(sent.status).toBe(201);
    const { message } = sent.body;
    let reads = 0;
    aliceSocket.on('message_read', () => {
      reads += 1;
    });
    const read = await server.api('POST', `/api/conversations/${message.conversationId}/read`, {
      token: bob.token,
      body: { seq: message.seq },
    });
    expect(read.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reads).toBe(0);
    const history = await server.api('GET', `/api/messages/private/${bob.id}`, { token: alice.token });
    expect(history.body.messages.at(-1).status).toBe('delivered');
  });
});

describe('push subscriptions', () => {
  const server = useServer();

  it('stores, replaces and deletes a browser subscription; refuses malformed ones', async () => {
    const alice = await server.user('Alice');
    const bob = await server.user('Bob');
    const config = await server.api('GET', '/api/push/config', { token: alice.token });
    expect(config.body).toEqual({ enabled: false, publicKey: null });
    const sub = subscription(1);
    const created = await server.api('POST', '/api/users/me/push-subscriptions', {
      token: alice.token,
      body: sub,
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toEqual(expect.any(String));
    const again = await server.api('POST', '/api/users/me/push-subscriptions', {
      token: alice.token,
      body: sub,
    });
    expect(again.body.id).toBe(created.body.id);
    for (const bad of [
      { ...sub, endpoint: 'http://push.example.test/plain' },
      { ...sub, keys: { p256dh: 'x', auth: sub.keys.auth } },
      { endpoint: sub.endpoint },
    ]) {
      const res = await server.api('POST', '/api/users/me/push-subscriptions', {
        token: alice.token,
        body: bad,
      });
      expect(res.status).toBe(400);
    }
    const path = `/api/users/me/push-subscriptions/${created.body.id}`;
    expect((await server.api('DELETE', path, { token: bob.token })).status).toBe(404);
    expect((await server.api('DELETE', path, { token: alice.token })).status).toBe(204);
    expect((await server.api('DELETE', path, { token: alice.token })).status).toBe(404);
    expect((await server.api('POST', '/api/users/me/push-subscriptions', { body: sub })).status).toBe(401);
  });
});
